import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

extension MonitorEndToEndTests {
    /// Layer `compressing` uses more and more distinct binned patterns up to a known step,
    /// then fewer and fewer: binning I(X;T) = H(binned T) rises, peaks, then falls, while
    /// I(T;Y) stays at H(Y) (the label is a function of the layer's first column) and
    /// training accuracy is 0.95 (fitting done). Layer `steady` keeps its number of
    /// patterns. Expected: exactly one `compression_onset`, for `compressing`, with its
    /// onset (evidence `peak_step`) within a few evaluations of the known step.
    @Test func compressionOnsetFiresOnceNearTheKnownStep() async throws {
        let daemon = try MonitorDaemon(configuration: ScenarioConfiguration.estimation(["binning_ixt", "binning_ity"]))
        let run = "compression"
        let rows = 512
        let stride: Int64 = 10
        // Levels per column (2 columns → levels² patterns): rising to the plateau at
        // evaluation 10, then falling.
        let levels = [4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 30, 24, 16, 12, 8, 6, 4, 4, 4, 4, 4, 4]
        let onsetIndex = 10
        let onsetStep = Int64(onsetIndex) * stride
        let lastStep = Int64(levels.count - 1) * stride

        let outcome = try await daemon.scenario(run: run, send: { s in
            for (i, level) in levels.enumerated() {
                let step = Int64(i) * stride
                var rng = SeededGenerator(seed: UInt64(i) + 1)
                let compressing = ScenarioActivations.quantised(rows: rows, columns: 2, levels: level, rng: &rng)
                let steady = ScenarioActivations.quantised(rows: rows, columns: 2, levels: 8, rng: &rng)
                // The label is the half of the compressing layer's first column.
                let labels = compressing.firstLevel.map { Int64($0 * 2 >= level ? 1 : 0) }
                try s.sendScalars(step: step, ["accuracy": 0.95, "loss": 0.1])
                try s.sendFrame(step: step, split: .probe, layers: [
                    .inputs(columns: 4, ScenarioActivations.gaussian(rows: rows, columns: 4, rng: &rng)),
                    .labels(labels),
                    .hidden("compressing", columns: 2, compressing.values),
                    .hidden("steady", columns: 2, steady.values),
                ])
            }
        }, stored: { points in
            points.filter { $0.step == lastStep && $0.metric == StoreReader.Metric.inputInformation }.count == 2
        })

        // The series has the intended shape: up to the plateau, then down by far more than 10 %.
        let ixt = outcome.series(layer: "compressing", metric: StoreReader.Metric.inputInformation)
        let peak = ixt.max() ?? 0
        try #require(ixt.count == levels.count, "stored I(X;T): \(ixt):\n\(daemon.process.log.suffix(3000))")
        #expect(ixt[onsetIndex] > ixt[0] + 3 && ixt.last! < 0.6 * peak, "binning I(X;T) of the layer: \(ixt)")

        #expect(outcome.storedAlerts.map(\.kind) == ["compression_onset"], "stored alerts:\n\(outcome.storedSummary)")
        let alert = try #require(outcome.storedAlerts.first)
        #expect(alert.layer == "compressing")
        #expect(alert.step > onsetStep && alert.step <= onsetStep + 8 * stride, "confirmed at step \(alert.step)")
        let evidence = try JSONSerialization.jsonObject(with: Data(alert.evidenceJSON.utf8)) as? [String: Any]
        let peakStep = try #require(evidence?["peak_step"] as? Int)
        print("compression_onset: known onset step \(onsetStep), alert step \(alert.step), peak_step \(peakStep); I(X;T) \(ixt.map { String(format: "%.2f", $0) })")
        #expect(abs(Int64(peakStep) - onsetStep) <= 3 * stride, "peak_step \(peakStep), known onset \(onsetStep)")

        // The client that owns the run received the same alert.
        #expect(outcome.receivedAlerts.map(\.kind) == ["compression_onset"])
        #expect(outcome.receivedAlerts.first?.layer == "compressing")
        #expect(outcome.receivedAlerts.first?.step == alert.step)
        #expect(outcome.receivedAlerts.first?.run == run)
        #expect(outcome.errors.isEmpty, "errors: \(outcome.errors)")
        #expect(try daemon.process.stop() == 0)
    }
}
