import Foundation
import InfoplaneEstimators
import Testing
@testable import InfoplaneMonitor

@Suite struct OverfittingAlertRuleTests {
    /// Feeds train and validation I(T;Y) of one layer, one evaluation per 10 steps.
    func information(evaluations: Int, estimator: EstimatorName = .mixed, trainN: Int = 4000, validationN: Int = 4000,
                     train: (Int) -> Double, validation: (Int) -> Double) -> [AlertRecord] {
        var engine = AlertEngine()
        var alerts: [AlertRecord] = []
        for i in 0..<evaluations {
            let step = Int64(i) * 10
            alerts += engine.observe([alertPoint(Metric.labelInformation, layer: "L4", split: .train, estimator: estimator,
                                             step: step, value: train(i), n: trainN)], at: alertEpoch)
            alerts += engine.observe([alertPoint(Metric.labelInformation, layer: "L4", split: .validation, estimator: estimator,
                                             step: step, value: validation(i), n: validationN)], at: alertEpoch)
        }
        return alerts
    }

    @Test func trainRisingWhileValidationFallsFires() throws {
        var noise = AlertTestNoise(seed: 11)
        let train = (0..<60).map { alertPiecewise([(0, 0.5), (59, 0.95)], at: $0) + 0.01 * noise.gaussian() }
        let validation = (0..<60).map { alertPiecewise([(0, 0.5), (25, 0.7), (59, 0.45)], at: $0) + 0.01 * noise.gaussian() }
        let alerts = information(evaluations: 60, train: { train[$0] }, validation: { validation[$0] })
        let (_, evidence) = try onlyAlert(alerts, .overfitting, layer: "L4", severity: .warning,
                                          evidence: OverfittingEvidence.self)
        #expect(evidence.signal == "information")
        #expect(evidence.estimator == "mixed")
        // The divergence is measured from the validation peak at step 250.
        #expect(evidence.referenceStep >= 220 && evidence.referenceStep <= 300)
        #expect(evidence.divergence >= evidence.threshold)
        #expect(evidence.train > evidence.trainAtReference)
        #expect(evidence.validation < evidence.validationAtReference)
        #expect(evidence.trainN == 4000 && evidence.validationN == 4000)
    }

    @Test func bothRisingTogetherDoesNotFire() {
        var noise = AlertTestNoise(seed: 12)
        let train = (0..<60).map { alertPiecewise([(0, 0.5), (59, 0.95)], at: $0) + 0.01 * noise.gaussian() }
        let validation = (0..<60).map { alertPiecewise([(0, 0.45), (59, 0.88)], at: $0) + 0.01 * noise.gaussian() }
        #expect(information(evaluations: 60, train: { train[$0] }, validation: { validation[$0] }).isEmpty)
    }

    @Test func validationStagnatingWhileTrainKeepsRisingFires() throws {
        let alerts = information(evaluations: 60, train: { alertPiecewise([(0, 0.5), (59, 0.98)], at: $0) },
                                 validation: { alertPiecewise([(0, 0.5), (20, 0.7)], at: $0) })
        try #require(alerts.count == 1)
        let evidence = try decodeAlertEvidence(OverfittingEvidence.self, alerts[0])
        #expect(evidence.validation == evidence.validationAtReference) // stagnating, not falling
    }

    @Test func binningOnTooFewSamplesIsIgnored() {
        // The Shwartz-Ziv & Tishby 5 % split: 205 training samples. Plug-in binning pins the
        // training I(T;Y) at H(Y); the rule must not trust it.
        let train: (Int) -> Double = { alertPiecewise([(0, 0.5), (59, 0.95)], at: $0) }
        let validation: (Int) -> Double = { alertPiecewise([(0, 0.5), (25, 0.7), (59, 0.45)], at: $0) }
        #expect(information(evaluations: 60, estimator: .binning, trainN: 205, train: train, validation: validation).isEmpty)
        // Control: the same binning series on enough samples fires.
        #expect(information(evaluations: 60, estimator: .binning, trainN: 3277, train: train, validation: validation).count == 1)
    }

    @Test func trainLossFallingWhileValidationLossRisesFires() throws {
        // The 5 % split of the reference: train loss -> 0, test loss 0.30 -> 0.94.
        var engine = AlertEngine()
        var alerts: [AlertRecord] = []
        var noise = AlertTestNoise(seed: 5)
        for i in 0..<100 {
            let step = Int64(i) * 10
            let train = 1.0 * exp(-Double(i) / 15) + 0.002 * abs(noise.gaussian())
            let validation = alertPiecewise([(0, 1.0), (30, 0.30), (99, 0.94)], at: i) + 0.01 * noise.gaussian()
            alerts += engine.observe(ScalarRecord(run: "run", step: step, epoch: Int64(i), split: .train,
                                                  values: ["loss": train, "accuracy": 0.5]), at: alertEpoch)
            alerts += engine.observe(ScalarRecord(run: "run", step: step, epoch: Int64(i), split: .validation,
                                                  values: ["loss": validation]), at: alertEpoch)
        }
        let (alert, evidence) = try onlyAlert(alerts, .overfitting, layer: "", evidence: OverfittingEvidence.self)
        #expect(evidence.signal == "loss")
        #expect(evidence.referenceStep >= 270 && evidence.referenceStep <= 340)
        // 10 % above a ~0.30 minimum is ~0.03: about 3 evaluations of rise, plus lag and confirmation.
        #expect(alert.step > evidence.referenceStep && alert.step <= evidence.referenceStep + 120)
    }

    /// The 8000-epoch demo's losses, every epoch (Fixtures/szt-demo-losses.csv, written by
    /// `python3 Clients/python/examples/szt_demo.py --no-monitor --epochs 8000 --losses-csv FILE`).
    static func demoLosses() throws -> [(step: Int64, train: Double, heldout: Double)] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/szt-demo-losses.csv")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap { line in
            let f = line.split(separator: ",")
            guard f.count == 4, let step = Int64(f[0]), let train = Double(f[2]), let heldout = Double(f[3]) else { return nil }
            return (step, train, heldout)
        }
    }

    @Test func theDemosLongRiseOfTheValidationLossIsOneEpisode() throws {
        // The held-out loss of the tanh demo falls to ~0.105 around epoch 2000, then rises
        // slowly and noisily to ~0.43 while the training loss keeps falling: one overfitting
        // episode. (Before the clearing threshold was frozen at firing, its noise term grew
        // with the wandering validation loss, "cleared" the episode and the daemon raised
        // four alerts, at steps 36517, 40664, 45045 and 52104.)
        let losses = try Self.demoLosses()
        try #require(losses.count == 8001)
        var engine = AlertEngine()
        var alerts: [AlertRecord] = []
        for (i, l) in losses.enumerated() {
            alerts += engine.observe(ScalarRecord(run: "run", step: l.step, epoch: Int64(i), split: .train, values: ["loss": l.train]), at: alertEpoch)
            alerts += engine.observe(ScalarRecord(run: "run", step: l.step, epoch: Int64(i), split: .validation, values: ["loss": l.heldout]), at: alertEpoch)
        }
        try #require(alerts.count == 1, "\(alerts.map(\.message))")
        let evidence = try decodeAlertEvidence(OverfittingEvidence.self, alerts[0])
        let minimum = losses.min { $0.heldout < $1.heldout }!
        #expect(abs(evidence.validationAtReference - minimum.heldout) < 0.01, "\(alerts[0].message)")
    }

    @Test func lossKeysInOneRecordAreUnderstood() {
        var engine = AlertEngine()
        var alerts: [AlertRecord] = []
        for i in 0..<60 {
            let validation = alertPiecewise([(0, 1.0), (20, 0.4), (59, 1.2)], at: i)
            alerts += engine.observe(ScalarRecord(run: "run", step: Int64(i), epoch: 0, split: .train,
                                                  values: ["train_loss": 1 / Double(i + 1), "val_loss": validation]), at: alertEpoch)
        }
        #expect(alerts.count == 1)
    }

    @Test func bothLossesFallingDoesNotFire() {
        var engine = AlertEngine()
        var alerts: [AlertRecord] = []
        var noise = AlertTestNoise(seed: 9)
        for i in 0..<100 {
            alerts += engine.observe(ScalarRecord(run: "run", step: Int64(i), epoch: 0, split: .train,
                                                  values: ["loss": exp(-Double(i) / 20) + 0.01 * noise.gaussian(),
                                                           "val_loss": 0.1 + exp(-Double(i) / 25) + 0.01 * noise.gaussian()]), at: alertEpoch)
        }
        #expect(alerts.isEmpty)
    }
}
