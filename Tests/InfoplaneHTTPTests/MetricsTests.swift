import Foundation
@testable import InfoplaneHTTP
import InfoplaneMonitor
import Testing

/// `/metrics`: valid Prometheus text exposition with the documented names and values.
@Suite struct MetricsTests {
    @Test func exposesTheDocumentedMetrics() async throws {
        let known = try await KnownRun()
        var counters = PipelineCounters()
        counters.framesEstimated = 3
        counters.framesThinned = 2
        counters.framesWaiting = 4
        counters.waitingFrameBytes = 4_000_000
        counters.lag = ["r": EstimationLag(newestReceivedStep: 400, newestEstimatedStep: 100, steps: 300, framesWaiting: 4,
                                           bytesWaiting: 4_000_000, thinningStride: 2)]
        let status = DaemonStatusSnapshot(version: "1.2.3", startedAt: Date(),
                                          ingest: .init(openConnections: 1, snapshotsAccepted: 10, bytesAccepted: 4096, errorsSent: 1),
                                          pipeline: counters)
        try await withRouter(store: known.store, status: status) { client, metrics in
            metrics.observe(.points([SeriesPoint(series: SeriesID(run: "r", layer: "L5", split: .probe, metric: .inputInformation, estimator: .binning),
                step: 100, value: 3.5, unit: .bits, sampleCount: 4096, dimension: 3, seconds: 0.02)]))
            metrics.observe(.alert(AlertRecord(run: "r", layer: "L5", kind: .compressionOnset, severity: .info, step: 100,
                                               message: "m", evidenceJSON: "{}")))
            let r = try await get(client, "/metrics")
            #expect(r.status == 200 && r.type.hasPrefix("text/plain; version=0.0.4"))
            let samples = try PrometheusText.parse(r.body)
            for name in MetricNames.always + MetricNames.afterFirstEstimate + MetricNames.afterFirstFrame {
                #expect(samples.contains { $0.name == name || $0.name.hasPrefix(name + "_") }, "missing \(name)")
            }
            func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
                samples.first { $0.name == name && $0.labels == labels }?.value
            }
            #expect(value(MetricNames.ingestSnapshots) == 10)
            #expect(value(MetricNames.ingestBytes) == 4096)
            #expect(value(MetricNames.ingestErrors) == 1)
            #expect(value(MetricNames.framesEstimated) == 3)
            #expect(value(MetricNames.framesDropped, ["reason": "thinned"]) == 2)
            #expect(value(MetricNames.framesDropped, ["reason": "timeout"]) == 0)
            #expect(value(MetricNames.queueDepth) == 4)
            #expect(value(MetricNames.waitingFrameBytes) == 4_000_000)
            #expect(value(MetricNames.estimationLag, ["run": "r"]) == 300)
            #expect(value(MetricNames.thinningStride, ["run": "r"]) == 2)
            #expect(value(MetricNames.alerts, ["kind": "compression_onset"]) == 1)
            #expect(value(MetricNames.alerts, ["kind": "overfitting"]) == 0)
            let labels = ["run": "r", "layer": "L5", "metric": "I(X;T)", "estimator": "binning", "split": "probe"]
            #expect(value(MetricNames.estimate, labels) == 3.5)
            #expect(value(MetricNames.estimateStep, labels) == 100)
            #expect(value(MetricNames.estimationSeconds + "_count", ["estimator": "binning"]) == 1)
            #expect(value(MetricNames.estimationSeconds + "_bucket", ["estimator": "binning", "le": "0.025"]) == 1)
            #expect(value(MetricNames.estimationSeconds + "_bucket", ["estimator": "binning", "le": "0.01"]) == 0)

            // Counters only grow: a second scrape with the same figures adds nothing.
            let again = try PrometheusText.parse(try await get(client, "/metrics").body)
            #expect(again.first { $0.name == MetricNames.ingestSnapshots }?.value == 10)
        }
    }
}

/// A strict parser of the Prometheus text exposition format 0.0.4: every line is a
/// comment (# HELP / # TYPE with a valid name and type) or a sample
/// `name{label="value",...} number`; every sample's family has a TYPE line first.
enum PrometheusText {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    static func parse(_ text: String) throws -> [Sample] {
        var typed: [String: String] = [:]
        var samples: [Sample] = []
        let name = #"[a-zA-Z_:][a-zA-Z0-9_:]*"#
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty { continue }
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, parts[2].wholeMatch(of: try Regex(name)) != nil,
                      ["counter", "gauge", "histogram", "summary", "untyped"].contains(String(parts[3])) else {
                    throw TestFailure("line \(number + 1): bad TYPE line: \(line)")
                }
                typed[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("# HELP ") || line.hasPrefix("#") { continue }
            let regex = try Regex(#"^("# + name + #")(\{(.*)\})? (\S+)( \d+)?$"#)
            guard let match = line.wholeMatch(of: regex) else { throw TestFailure("line \(number + 1): not a sample: \(line)") }
            let sampleName = String(match.output[1].substring!)
            var labels: [String: String] = [:]
            if let body = match.output[3].substring, !body.isEmpty {
                let labelRegex = try Regex(#"(\#(name))="((?:[^"\\]|\\.)*)",?"#)
                var rest = Substring(body)
                while !rest.isEmpty {
                    guard let m = rest.prefixMatch(of: labelRegex) else { throw TestFailure("line \(number + 1): bad labels: \(body)") }
                    labels[String(m.output[1].substring!)] = String(m.output[2].substring!)
                    rest = rest[m.range.upperBound...]
                }
            }
            let valueText = String(match.output[4].substring!)
            guard let value = Double(valueText) ?? ["+Inf": .infinity, "-Inf": -.infinity, "NaN": .nan][valueText] else {
                throw TestFailure("line \(number + 1): bad value \(valueText)")
            }
            let family = ["_bucket", "_count", "_sum"].reduce(sampleName) { n, s in
                typed[n] == nil && n.hasSuffix(s) ? String(n.dropLast(s.count)) : n
            }
            guard typed[family] != nil else { throw TestFailure("line \(number + 1): \(sampleName) has no TYPE line before it") }
            samples.append(Sample(name: sampleName, labels: labels, value: value))
        }
        return samples
    }
}
