import Foundation
import Testing
@testable import InfoplaneMonitor

@Suite struct AlertEngineTests {
    @Test(arguments: [2024, 1, 2, 3, 4, 5, 6, 7] as [UInt64])
    func aSteadyRunWithNoisyFlatSeriesRaisesNothing(seed: UInt64) {
        let alerts = steadyRun(seed: seed)
        #expect(alerts.isEmpty, "unexpected: \(alerts.map(\.message))")
    }

    /// Every series the rules read, flat with seeded noise (3 % of the level), for 300
    /// evaluations, plus a regular 10 s cadence with ticks in between.
    func steadyRun(seed: UInt64, thresholds: AlertThresholds = AlertThresholds()) -> [AlertRecord] {
        var engine = AlertEngine(thresholds: thresholds)
        var noise = AlertTestNoise(seed: seed)
        var alerts: [AlertRecord] = []
        for i in 0..<300 {
            let step = Int64(i) * 10
            let time = alertEpoch.addingTimeInterval(Double(i) * 10)
            var points: [SeriesPoint] = []
            for (layer, ixt, ity, dse) in [("L1", 11.9, 0.99, 7.0), ("L3", 7.5, 0.9, 5.0), ("L5", 3.0, 0.8, 2.5)] {
                for split in [ProbeSplit.train, .validation] {
                    points.append(alertPoint(Metric.inputInformation, layer: layer, split: split, step: step,
                                         value: ixt * (1 + 0.03 * noise.gaussian())))
                    points.append(alertPoint(Metric.labelInformation, layer: layer, split: split, estimator: .mixed,
                                         step: step, value: ity * (1 + 0.03 * noise.gaussian())))
                    points.append(alertPoint(Metric.diffusionSpectralEntropy, layer: layer, split: split, estimator: .dse,
                                         step: step, value: dse * (1 + 0.03 * noise.gaussian())))
                }
            }
            alerts += engine.observe(ScalarRecord(run: "run", step: step, epoch: Int64(i), split: .train,
                                                  values: ["loss": 0.3 * (1 + 0.03 * noise.gaussian()), "accuracy": 0.93]), at: time)
            alerts += engine.observe(ScalarRecord(run: "run", step: step, epoch: Int64(i), split: .validation,
                                                  values: ["loss": 0.35 * (1 + 0.03 * noise.gaussian())]), at: time)
            alerts += engine.observe(points, at: time)
            alerts += engine.tick(now: time.addingTimeInterval(5))
        }
        return alerts
    }

    @Test func noisyFlatSeriesFireWithoutTheNoiseTerm() {
        // Control for the test above: the same steady run (seed 2024), with every default but
        // the noise term switched off, does raise alerts: the running peak of a long noisy
        // series drifts away from its typical value (about sqrt(2 ln N) noise scales).
        var thresholds = AlertThresholds()
        thresholds.compressionOnset.noiseMultiplier = 0
        thresholds.overfitting.noiseMultiplier = 0
        thresholds.representationCollapse.noiseMultiplier = 0
        #expect(!steadyRun(seed: 2024, thresholds: thresholds).isEmpty)
    }

    @Test func thresholdsDecodeFromSnakeCaseWithDefaults() throws {
        let json = """
            {"smoothing_window": 7,
             "compression_onset": {"relative_drop": 0.2, "estimators": ["binning"]},
             "client_stalled": {"factor": 3, "enabled": false}}
            """
        let decoded = try ConfigurationCoding.decode(from: Data(json.utf8), over: AlertThresholds())
        var expected = AlertThresholds()
        expected.smoothingWindow = 7
        expected.compressionOnset.relativeDrop = 0.2
        expected.compressionOnset.estimators = [.binning]
        expected.clientStalled.factor = 3
        expected.clientStalled.enabled = false
        #expect(decoded == expected)
        #expect(try ConfigurationCoding.decode(from: Data("{}".utf8), over: AlertThresholds()) == AlertThresholds())
        // And back: the encoded keys are the configuration's keys.
        let encoded = String(decoding: try ConfigurationCoding.encode(expected), as: UTF8.self)
        #expect(encoded.contains("\"min_samples_binning\""))
        #expect(encoded.contains("\"fitting_train_accuracy\""))
        #expect(try ConfigurationCoding.decode(from: Data(encoded.utf8), over: AlertThresholds()) == expected)
    }

    @Test func invalidThresholdsNameTheKey() throws {
        var t = AlertThresholds()
        try t.validate()
        t.compressionOnset.relativeDrop = 1.5
        #expect(throws: AlertConfigurationError(key: "compression_onset.relative_drop",
                                                expected: "a fraction strictly between 0 and 1")) { try t.validate() }
        t = AlertThresholds()
        t.clientStalled.minIntervals = 0
        #expect(throws: AlertConfigurationError.self) { try t.validate() }
        let message = AlertConfigurationError(key: "k", expected: "x").description
        #expect(message.contains("[alerts]"))
    }

    @Test func disabledRulesAreNotRun() {
        var thresholds = AlertThresholds()
        thresholds.representationCollapse.enabled = false
        thresholds.clientStalled.enabled = false
        let engine = AlertEngine(thresholds: thresholds)
        #expect(engine.enabledKinds == [.compressionOnset, .overfitting])
        var e = engine
        var alerts: [AlertRecord] = []
        for i in 0..<40 {
            alerts += e.observe(alertPoint(Metric.diffusionSpectralEntropy, estimator: .dse, step: Int64(i),
                                       value: i < 20 ? 6 : 1), at: alertEpoch)
        }
        #expect(alerts.isEmpty)
        #expect(AlertEngine().enabledKinds == AlertKind.allCases)
    }

    @Test func partialAndNonFinitePointsAreNotFedByDefault() {
        func collapse(partial: Bool, thresholds: AlertThresholds = AlertThresholds()) -> Int {
            var engine = AlertEngine(thresholds: thresholds)
            var count = 0
            for i in 0..<40 {
                var p = alertPoint(Metric.diffusionSpectralEntropy, estimator: .dse, step: Int64(i), value: i < 20 ? 6 : 1)
                p.flags = partial && i >= 20 ? .partialFrame : []
                count += engine.observe(p, at: alertEpoch).count
                count += engine.observe(alertPoint(Metric.diffusionSpectralEntropy, estimator: .dse,
                                               step: Int64(i) * 1000 + 500, value: .nan), at: alertEpoch).count
            }
            return count
        }
        #expect(collapse(partial: false) == 1)
        #expect(collapse(partial: true) == 0)
        var keepPartial = AlertThresholds()
        keepPartial.ignorePartialFrames = false
        #expect(collapse(partial: true, thresholds: keepPartial) == 1)
    }

    /// Saturated and few-sample points say nothing about the layer: the same collapse, flagged,
    /// raises nothing (the points are still stored and shown; only the rules skip them).
    @Test(arguments: [SeriesPointFlags.saturated, .fewSamples, [.saturated, .partialFrame]])
    func untrustworthyPointsAreNotFed(_ flags: SeriesPointFlags) {
        func collapse(flagged: Bool) -> Int {
            var engine = AlertEngine()
            var count = 0
            for i in 0..<40 {
                var p = alertPoint(Metric.diffusionSpectralEntropy, estimator: .dse, step: Int64(i), value: i < 20 ? 6 : 1)
                p.flags = flagged && i >= 20 ? flags : []
                count += engine.observe(p, at: alertEpoch).count
            }
            return count
        }
        #expect(collapse(flagged: false) == 1)
        #expect(collapse(flagged: true) == 0)
    }

    @Test func frameOrderDoesNotChangeTheOutcome() {
        // Within a frame, I(X;T) listed before I(T;Y): the engine feeds I(T;Y) first anyway.
        func alerts(reversed: Bool) -> [Int64] {
            var engine = AlertEngine()
            var steps: [Int64] = []
            for i in 0..<80 {
                let step = Int64(i) * 10
                var frame = [alertPoint(Metric.inputInformation, step: step,
                                    value: alertPiecewise([(0, 6), (38, 7.6), (40, 7.6), (79, 4)], at: i)),
                             alertPoint(Metric.labelInformation, step: step,
                                    value: alertPiecewise([(0, 0.1), (30, 0.9), (79, 0.99)], at: i))]
                if reversed { frame.reverse() }
                steps += engine.observe(frame, at: alertEpoch).map(\.step)
            }
            return steps
        }
        let forward = alerts(reversed: false)
        #expect(forward.count == 1)
        #expect(alerts(reversed: true) == forward)
    }

    @Test func restoringFromHistoryContinuesAsIfUninterrupted() {
        // One run, 80 evaluations: I(X;T) peaks at 40 and compresses; overfitting on the
        // losses from evaluation 50. Uninterrupted, vs. cut at evaluation `cut`: a fresh
        // engine restored from the first part (what the store holds) and fed the rest.
        func frame(_ i: Int) -> [SeriesPoint] {
            let step = Int64(i) * 10
            return [alertPoint(Metric.inputInformation, step: step, value: alertPiecewise([(0, 6), (38, 7.6), (40, 7.6), (79, 4)], at: i)),
                    alertPoint(Metric.labelInformation, step: step, value: alertPiecewise([(0, 0.1), (30, 0.9), (79, 0.99)], at: i))]
        }
        func scalars(_ i: Int) -> [ScalarRecord] {
            let step = Int64(i) * 10
            return [ScalarRecord(run: "run", step: step, epoch: Int64(i), split: .train, values: ["accuracy": 0.95, "loss": 1.0 / Double(i + 1)]),
                    ScalarRecord(run: "run", step: step, epoch: Int64(i), split: .validation,
                                 values: ["loss": alertPiecewise([(0, 1), (50, 0.2), (79, 0.6)], at: i)])]
        }
        func feed(_ engine: inout AlertEngine, _ range: Range<Int>) -> [AlertRecord] {
            var alerts: [AlertRecord] = []
            for i in range {
                for record in scalars(i) { alerts += engine.observe(record, at: alertEpoch) }
                alerts += engine.observe(frame(i), at: alertEpoch)
            }
            return alerts
        }
        var whole = AlertEngine()
        let uninterrupted = feed(&whole, 0..<80)
        #expect(Set(uninterrupted.map(\.kind)) == [.compressionOnset, .overfitting], "\(uninterrupted.map(\.message))")
        for cut in [45, 52, 60, 70] {
            var first = AlertEngine()
            let before = feed(&first, 0..<cut)
            var restored = AlertEngine()
            let replayed = restored.restore(points: (0..<cut).flatMap(frame), scalars: (0..<cut).flatMap(scalars), at: alertEpoch)
            #expect(replayed == cut * 4)
            let after = feed(&restored, cut..<80)
            #expect((before + after).map(\.step) == uninterrupted.map(\.step), "cut at \(cut)")
            #expect((before + after).map(\.kind) == uninterrupted.map(\.kind), "cut at \(cut)")
            // Control: a fresh engine without the history raises an episode's alert again or
            // misses it.
            var fresh = AlertEngine()
            let freshAfter = feed(&fresh, cut..<80)
            if cut == 60 { #expect((before + freshAfter).map(\.step) != uninterrupted.map(\.step), "cut at \(cut)") }
        }
    }

    @Test func evidenceIsAJSONObjectWithSnakeCaseKeys() throws {
        var engine = AlertEngine()
        var alerts: [AlertRecord] = []
        for i in 0..<40 {
            alerts += engine.observe(alertPoint(Metric.diffusionSpectralEntropy, estimator: .dse, step: Int64(i),
                                            value: i < 20 ? 6 : 1), at: alertEpoch)
        }
        let alert = try #require(alerts.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(alert.evidenceJSON.utf8)) as? [String: Any])
        // The level it fell from: 6 bits, at a step inside the look-back window before the fall.
        #expect(object["reference_value"] as? Double == 6)
        #expect((17...21).contains(object["reference_step"] as? Int ?? -1))
        #expect(object["rule"] as? String == "representation_collapse")
        let recent = try #require(object["recent"] as? [String: Any])
        #expect((recent["steps"] as? [Int])?.last == Int(alert.step))
    }
}
