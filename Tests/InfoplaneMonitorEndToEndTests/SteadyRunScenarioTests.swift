import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

extension MonitorEndToEndTests {
    /// A steady run: every frame is a fresh random draw of the same distributions (so every
    /// series is noisy but flat), training accuracy and both losses jitter around constants,
    /// TRAIN and VALIDATION frames of 1024 samples (so the overfitting rule reads binning),
    /// every rule enabled with its default thresholds, the estimators of all four rules
    /// running. Expected: every point stored, and no alert at all, stored or received.
    @Test func steadyNoisyRunRaisesNoAlert() async throws {
        let daemon = try MonitorDaemon(configuration: ScenarioConfiguration.estimation(
            ["binning_ixt", "binning_ity", "dse"], extra: "kernel_max_samples = 256"))
        let run = "steady"
        let rows = 1024
        let evaluations = 16

        let outcome = try await daemon.scenario(run: run, evaluations: evaluations, evaluation: { s, i in
            var jitter = SeededGenerator(seed: UInt64(i) + 500)
            try s.sendScalars(step: Int64(i), [
                "accuracy": 0.93 + 0.01 * jitter.gaussian(),
                "loss": 0.25 + 0.01 * jitter.gaussian(),
                "val_loss": 0.30 + 0.01 * jitter.gaussian(),
            ])
            for split in [Infoplane_V1_Split.train, .validation] {
                var rng = SeededGenerator(seed: UInt64(i * 2) + (split == .train ? 0 : 1) + 600)
                let quantised = ScenarioActivations.quantised(rows: rows, columns: 2, levels: 12, rng: &rng)
                let labels = quantised.firstLevel.map { Int64($0 >= 6 ? 1 : 0) }
                try s.sendFrame(step: Int64(i), split: split, layers: [
                    .labels(labels),
                    .hidden("quantised", columns: 2, quantised.values),
                    .hidden("noisy", columns: 1, ScenarioActivations.noisyLabelCopy(labels: labels, flip: 0.2, rng: &rng)),
                    .hidden("gaussian", columns: 6, ScenarioActivations.gaussian(rows: rows, columns: 6, rng: &rng)),
                ])
            }
        }, lastStepStored: { points in
            // 2 splits × 3 layers × 3 estimates at the last step.
            points.filter { Self.isEstimate($0) }.count == 18
        })
        let estimates = outcome.points.filter(Self.isEstimate)
        #expect(estimates.count == evaluations * 18,
                "expected \(evaluations * 18) estimates, stored \(estimates.count):\n\(daemon.process.log.suffix(3000))")
        // Noisy: the series do vary from frame to frame.
        let ixt = outcome.series(layer: "quantised", metric: StoreReader.Metric.inputInformation, split: "train")
        #expect(Set(ixt).count > 1, "I(X;T) of the quantised layer: \(ixt)")
        let dse = outcome.series(layer: "gaussian", metric: StoreReader.Metric.diffusionSpectralEntropy, split: "validation")
        #expect(Set(dse).count > 1, "DSE of the gaussian layer: \(dse)")

        #expect(outcome.storedAlerts.isEmpty, "alerts on a steady run:\n\(outcome.storedSummary)")
        #expect(outcome.receivedAlerts.isEmpty, "alerts received: \(outcome.receivedAlerts.map(\.message))")
        #expect(outcome.errors.isEmpty, "errors: \(outcome.errors)")
        #expect(try daemon.process.stop() == 0)
        // Nothing was raised while the daemon drained and stopped either.
        #expect(try daemon.store.alerts(run: run).isEmpty)
    }

    static func isEstimate(_ p: StoreReader.Point) -> Bool {
        [StoreReader.Metric.inputInformation, StoreReader.Metric.labelInformation,
         StoreReader.Metric.diffusionSpectralEntropy].contains(p.metric)
    }
}
