import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

extension MonitorEndToEndTests {
    /// Layer `memorising` carries the label through a binary symmetric channel whose flip
    /// probability falls on the TRAIN split (binning I(T;Y) = 1 − H₂(q) rises) and rises on
    /// the VALIDATION split (its I(T;Y) falls). Layer `generalising` improves on both splits.
    /// 1024 samples per frame: above the rule's `min_samples_binning` default (1000).
    /// Expected: exactly one `overfitting` alert, for `memorising`, stored and received.
    @Test func overfittingFiresWhenTrainInformationRisesAndValidationFalls() async throws {
        let daemon = try MonitorDaemon(configuration: ScenarioConfiguration.estimation(["binning_ity"]))
        let run = "overfitting"
        let rows = 1024
        let evaluations = 14

        let outcome = try await daemon.scenario(run: run, evaluations: evaluations, evaluation: { s, i in
            let progress = Double(i) / Double(evaluations - 1)
            for split in [Infoplane_V1_Split.train, .validation] {
                var rng = SeededGenerator(seed: UInt64(i * 2) + (split == .train ? 0 : 1) + 100)
                let labels = ScenarioActivations.binaryLabels(rows: rows, rng: &rng)
                let memorisingFlip = split == .train ? 0.30 - 0.28 * progress : 0.08 + 0.32 * progress
                let generalisingFlip = 0.30 - 0.25 * progress
                try s.sendFrame(step: Int64(i), split: split, layers: [
                    .labels(labels),
                    .hidden("memorising", columns: 1,
                            ScenarioActivations.noisyLabelCopy(labels: labels, flip: memorisingFlip, rng: &rng)),
                    .hidden("generalising", columns: 1,
                            ScenarioActivations.noisyLabelCopy(labels: labels, flip: generalisingFlip, rng: &rng)),
                ])
            }
        }, lastStepStored: { $0.count == 4 })

        // The series have the intended shapes.
        let train = outcome.series(layer: "memorising", metric: StoreReader.Metric.labelInformation, split: "train")
        let validation = outcome.series(layer: "memorising", metric: StoreReader.Metric.labelInformation, split: "validation")
        try #require(train.count == evaluations && validation.count == evaluations,
                     "stored \(train.count) train and \(validation.count) validation points:\n\(daemon.process.log.suffix(3000))")
        #expect(train.last! > train.first! + 0.5 && validation.last! < validation.first! - 0.4,
                "memorising I(T;Y): train \(train), validation \(validation)")

        #expect(outcome.storedAlerts.map(\.kind) == ["overfitting"], "stored alerts:\n\(outcome.storedSummary)")
        #expect(outcome.storedAlerts.first?.layer == "memorising")
        print("overfitting: alert at step \(outcome.storedAlerts.first?.step ?? -1); train I(T;Y) \(String(format: "%.2f", train.first!)) -> \(String(format: "%.2f", train.last!)), validation \(String(format: "%.2f", validation.first!)) -> \(String(format: "%.2f", validation.last!))")
        #expect(outcome.receivedAlerts.map(\.kind) == ["overfitting"])
        #expect(outcome.receivedAlerts.first?.layer == "memorising")
        #expect(outcome.receivedAlerts.first?.step == outcome.storedAlerts.first?.step)
        #expect(outcome.errors.isEmpty, "errors: \(outcome.errors)")
        #expect(try daemon.process.stop() == 0)
    }
}
