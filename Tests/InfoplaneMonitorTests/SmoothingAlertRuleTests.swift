import Foundation
import InfoplaneEstimators
import Testing
@testable import InfoplaneMonitor

// Helpers shared by the alert tests, and the tests of the smoothing and episode machinery.

/// SplitMix64: a small seeded generator, so the "noisy" series are the same on every run.
struct AlertTestNoise {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func uniform() -> Double { Double(nextUInt64() >> 11) / Double(1 << 53) }

    /// A standard normal draw (Box–Muller).
    mutating func gaussian() -> Double {
        let u1 = max(uniform(), 1e-300), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

let alertEpoch = Date(timeIntervalSince1970: 1_800_000_000)

func alertPoint(_ metric: Metric, layer: String = "L5", split: ProbeSplit = .probe, estimator: EstimatorName = .binning,
            step: Int64, value: Double, n: Int = 4096, units: SeriesUnit = .bits, run: String = "run") -> SeriesPoint {
    SeriesPoint(series: SeriesID(run: run, layer: layer, split: split, metric: metric, estimator: estimator),
                step: step, value: value, unit: units, sampleCount: n, dimension: 3, seconds: 0.01)
}

func decodeAlertEvidence<T: Decodable>(_ type: T.Type, _ alert: AlertRecord) throws -> T {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(type, from: Data(alert.evidenceJSON.utf8))
}

/// The one alert `alerts` must hold, checked to be a `kind` alert on `layer` with `severity`
/// (when given), with its evidence decoded as `T`.
func onlyAlert<T: Decodable>(_ alerts: [AlertRecord], _ kind: AlertKind, layer: String, severity: AlertSeverity? = nil,
                             evidence: T.Type, sourceLocation: SourceLocation = #_sourceLocation) throws -> (AlertRecord, T) {
    try #require(alerts.count == 1, sourceLocation: sourceLocation)
    let alert = alerts[0]
    #expect(alert.kind == kind, sourceLocation: sourceLocation)
    #expect(alert.layer == layer, sourceLocation: sourceLocation)
    if let severity { #expect(alert.severity == severity, sourceLocation: sourceLocation) }
    return (alert, try decodeAlertEvidence(evidence, alert))
}

/// Linear interpolation through (index, value) knots.
func alertPiecewise(_ knots: [(Int, Double)], at i: Int) -> Double {
    if i <= knots[0].0 { return knots[0].1 }
    for k in 1..<knots.count where i <= knots[k].0 {
        let (i0, v0) = knots[k - 1], (i1, v1) = knots[k]
        return v0 + (v1 - v0) * Double(i - i0) / Double(i1 - i0)
    }
    return knots[knots.count - 1].1
}

@Suite struct SmoothingAlertRuleTests {
    @Test func trailingMedianIgnoresAnIsolatedDip() {
        var s = SmoothedSeries(window: 5, limit: 100)
        for (i, v) in [5.0, 5, 5, 1, 5, 5].enumerated() { s.append(step: Int64(i), value: v) }
        #expect(s.smoothed == [5, 5, 5, 5, 5, 5])
        s.append(step: 6, value: 1)
        s.append(step: 7, value: 1)
        #expect(s.lastSmoothed == 1) // three of the last five are low: a real change shows
    }

    @Test func outOfOrderAndNonFiniteValuesAreIgnored() {
        var s = SmoothedSeries(window: 3, limit: 100)
        let accepted = [s.append(step: 10, value: 1), s.append(step: 10, value: 2),
                        s.append(step: 5, value: 2), s.append(step: 11, value: .nan)]
        #expect(accepted == [true, false, false, false])
        #expect(s.raw == [1])
        #expect(s.smoothed(atOrBefore: 100) == 1)
    }

    @Test func historyIsBoundedAndLookupsUseStepOrder() {
        var s = SmoothedSeries(window: 1, limit: 16)
        for i in 0..<100 { s.append(step: Int64(i * 10), value: Double(i)) }
        #expect(s.steps.count == 16)
        #expect(s.appended == 100)
        #expect(s.smoothed(atOrBefore: 955) == 95)
        #expect(s.smoothed(atOrBefore: 0) == 84) // older than kept: the oldest kept
        #expect(s.smoothed(lag: 2) == 97)
    }

    @Test func latchFiresOncePerEpisodeWithHysteresis() {
        var latch = EpisodeLatch()
        var fires = 0, rearms = 0
        // condition true 2, false 1, true 3 (fires at the 3rd), stays true, then clears 2.
        let script: [(Bool, Bool)] = [(true, false), (true, false), (false, false), (true, false), (true, false),
                                      (true, false), (true, false), (false, true), (false, false), (false, true),
                                      (false, true), (true, false), (true, false), (true, false)]
        for (condition, cleared) in script {
            switch latch.update(condition: condition, cleared: cleared, confirm: 3, rearm: 2) {
            case .fire: fires += 1
            case .rearmed: rearms += 1
            case .none: break
            }
        }
        #expect(fires == 2)
        #expect(rearms == 1)
    }
}

@Suite struct SmoothedSeriesThinningTests {
    @Test func thinningKeepsTheWholeRunAtAUniformResolution() throws {
        // 8001 evaluations (the demo's per-epoch accuracy) into a series that keeps 1024:
        // every lookup by step must find an evaluation close before it, early or late.
        var series = SmoothedSeries(window: 5, limit: 1024, thinsHistory: true)
        for i in 0...8000 { series.append(step: Int64(i) * 13, value: Double(i)) }
        #expect(series.steps.count <= 1024)
        #expect(series.steps.first == 0 && series.steps.last == 8000 * 13)
        let gaps = zip(series.steps.dropFirst(), series.steps).map { $0 - $1 }
        // Thinned to every 16th evaluation (8001 / 16 < 768), denser since the last thinning.
        let largest = try #require(gaps.max())
        #expect(largest == 16 * 13, "spacing: \(Set(gaps).sorted())")
        for i in stride(from: 0, through: 8000, by: 250) {
            let found = try #require(series.smoothedKnown(atOrBefore: Int64(i) * 13))
            // Smoothed = median of the 5 previous values: i - 2 when dense; within the spacing when thinned.
            #expect(Double(i) - found <= Double(largest / 13) + 2, "lookup at evaluation \(i) found \(found)")
        }
        // Dropping (the default) keeps only the newest.
        var dropping = SmoothedSeries(window: 5, limit: 1024)
        for i in 0...8000 { dropping.append(step: Int64(i), value: Double(i)) }
        #expect(dropping.smoothedKnown(atOrBefore: 100) == nil)
    }
}
