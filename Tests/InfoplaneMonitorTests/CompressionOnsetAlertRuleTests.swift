import Foundation
import Testing
@testable import InfoplaneMonitor

@Suite struct CompressionOnsetAlertRuleTests {
    /// Feeds I(T;Y) then I(X;T) per evaluation (as one frame), with optional train accuracy.
    func run(evaluations: Int, stepEvery: Int64 = 10, thresholds: AlertThresholds = AlertThresholds(),
             ixt: (Int) -> Double, ity: (Int) -> Double, accuracy: ((Int) -> Double)? = nil,
             layer: String = "L5") -> [AlertRecord] {
        var engine = AlertEngine(thresholds: thresholds)
        var alerts: [AlertRecord] = []
        for i in 0..<evaluations {
            let step = Int64(i) * stepEvery
            let time = alertEpoch.addingTimeInterval(Double(i))
            if let accuracy {
                alerts += engine.observe(ScalarRecord(run: "run", step: step, epoch: Int64(i), split: .train,
                                                      values: ["accuracy": accuracy(i)]), at: time)
            }
            alerts += engine.observe([
                alertPoint(Metric.inputInformation, layer: layer, step: step, value: ixt(i)),
                alertPoint(Metric.labelInformation, layer: layer, step: step, value: ity(i)),
            ], at: time)
        }
        return alerts
    }

    @Test func riseThenFallGivesExactlyOneAlertNearTheTurn() throws {
        // I(X;T) fits 6 -> 7.6 bits by evaluation 38 and from evaluation 40 (step 400)
        // compresses linearly to 4 bits; I(T;Y) fits to 0.9 by evaluation 30 and then creeps
        // up. Seeded noise on both.
        var noise = AlertTestNoise(seed: 7)
        let ixt = (0..<80).map { alertPiecewise([(0, 6), (38, 7.6), (40, 7.6), (79, 4)], at: $0) + 0.03 * noise.gaussian() }
        let ity = (0..<80).map { alertPiecewise([(0, 0.1), (30, 0.9), (79, 0.99)], at: $0) + 0.005 * noise.gaussian() }
        let alerts = run(evaluations: 80, ixt: { ixt[$0] }, ity: { ity[$0] })
        let (alert, evidence) = try onlyAlert(alerts, .compressionOnset, layer: "L5", severity: .info,
                                              evidence: CompressionOnsetEvidence.self)
        // The onset the evidence names is the turn, within the smoothing window's reach.
        #expect(evidence.peakStep >= 380 && evidence.peakStep <= 450)
        // Detected after the true fall passed 10 % (7.6 bits falls 0.092 bit per step of 10:
        // 10 % takes ~8.3 evaluations, step ~483), and before it passed twice that plus the
        // median's lag and the confirmation (16.5 + 2 + 3 evaluations, step ~615).
        #expect(alert.step >= 483 && alert.step <= 615)
        #expect(evidence.relativeDrop >= 0.10)
        #expect(evidence.series.metric == Metric.inputInformation)
        #expect(evidence.fittingGate.contains("plateau"))
        #expect(evidence.labelInformation?.estimator == .binning)
        #expect(alert.message.contains("step \(evidence.peakStep)"))
        #expect(evidence.recent.steps.last == alert.step)
    }

    /// The Shwartz-Ziv & Tishby fitting phase: I(X;T) dips by 0.5-2.3 bits for 1-3
    /// evaluations while I(T;Y) is still rising.
    func fittingWithDips(_ i: Int) -> Double {
        let base = alertPiecewise([(0, 6), (40, 7.6)], at: i)
        switch i {
        case 8, 9: return base - 2.3
        case 15: return base - 0.5
        case 22, 23, 24: return base - 1.5
        case 31, 32: return base - 1.0
        default: return base
        }
    }

    @Test func fittingPhaseDipsDoNotFire() {
        let alerts = run(evaluations: 60, ixt: fittingWithDips,
                         ity: { alertPiecewise([(0, 0.1), (59, 0.95)], at: $0) })
        #expect(alerts.isEmpty)
    }

    @Test func theSameDipsWouldFireWithoutSmoothingAndGate() {
        // Control: with no smoothing and fitting declared done from the start (accuracy 0.95),
        // the three-evaluation dip is a 20 % fall held three evaluations and fires: the
        // smoothing and the gate are what keep the test above silent.
        var thresholds = AlertThresholds()
        thresholds.smoothingWindow = 1
        let alerts = run(evaluations: 60, thresholds: thresholds, ixt: fittingWithDips,
                         ity: { alertPiecewise([(0, 0.1), (59, 0.95)], at: $0) }, accuracy: { _ in 0.95 })
        #expect(alerts.count >= 1)
    }

    @Test func fittingGateAloneHoldsBackALongDip() {
        // A dip of eight evaluations survives the median, but I(T;Y) is still rising fast.
        let ixt: (Int) -> Double = { i in alertPiecewise([(0, 6), (40, 7.6)], at: i) - ((20...27).contains(i) ? 1.5 : 0) }
        let ity: (Int) -> Double = { alertPiecewise([(0, 0.1), (59, 0.95)], at: $0) }
        #expect(run(evaluations: 60, ixt: ixt, ity: ity).isEmpty)
        // Control: fitting declared done by accuracy, the same dip fires.
        #expect(run(evaluations: 60, ixt: ixt, ity: ity, accuracy: { _ in 0.95 }).count == 1)
    }

    @Test func accuracyIsReadAtThePointsStepNotTheNewest() throws {
        // The daemon's order: training runs ahead and every epoch's accuracy arrives long
        // before the probe frames are estimated. Accuracy rises 0.5 -> 0.99, crossing 0.9 at
        // evaluation 40; I(X;T) has the long fitting dip at evaluations 20-27 and then
        // compresses from evaluation 50. Only the compression may fire.
        let evaluations = 80
        let accuracy: (Int) -> Double = { alertPiecewise([(0, 0.5), (40, 0.9), (79, 0.99)], at: $0) }
        let ixt: (Int) -> Double = { i in
            alertPiecewise([(0, 6), (40, 7.6), (50, 7.6), (79, 4)], at: i) - ((20...27).contains(i) ? 1.5 : 0)
        }
        let ity: (Int) -> Double = { alertPiecewise([(0, 0.1), (40, 0.9), (79, 0.95)], at: $0) }
        var engine = AlertEngine()
        var alerts: [AlertRecord] = []
        // Every epoch's accuracy first (ten records per evaluation, as the demo sends them)...
        for e in 0..<(evaluations * 10) {
            alerts += engine.observe(ScalarRecord(run: "run", step: Int64(e), epoch: Int64(e), split: .train,
                                                  values: ["accuracy": accuracy(e / 10)]), at: alertEpoch)
        }
        // ...then the frames, estimated afterwards.
        for i in 0..<evaluations {
            alerts += engine.observe([
                alertPoint(Metric.inputInformation, step: Int64(i) * 10, value: ixt(i)),
                alertPoint(Metric.labelInformation, step: Int64(i) * 10, value: ity(i)),
            ], at: alertEpoch)
        }
        try #require(alerts.count == 1, "\(alerts.map(\.message))")
        let evidence = try decodeAlertEvidence(CompressionOnsetEvidence.self, alerts[0])
        #expect(evidence.peakStep >= 400 && evidence.peakStep <= 560, "onset \(evidence.peakStep)")
        #expect(evidence.fittingGate.contains("at step \(alerts[0].step)"), "\(evidence.fittingGate)")
        #expect(abs((evidence.trainAccuracy ?? 0) - accuracy(Int(alerts[0].step) / 10)) < 0.01,
                "the accuracy of the alert's step, not the newest (0.99)")
    }

    @Test func anEarlyFlatStretchOfLabelInformationDoesNotOpenTheGateForGood() {
        // Before learning starts, I(T;Y) sits flat for ten evaluations (a "plateau"), then
        // rises for forty; a long fitting dip of I(X;T) comes during the rise. The gate must
        // close again when I(T;Y) starts rising, or the dip fires.
        let ity: (Int) -> Double = { alertPiecewise([(0, 0.08), (10, 0.08), (50, 0.9), (69, 0.93)], at: $0) }
        let ixt: (Int) -> Double = { i in alertPiecewise([(0, 6), (50, 7.6)], at: i) - ((20...27).contains(i) ? 1.5 : 0) }
        #expect(run(evaluations: 70, ixt: ixt, ity: ity).isEmpty)
    }

    @Test func aNearZeroLayerDoesNotFire() {
        // A dead layer: 0.01 bit falling to 0 is a 100 % relative drop but below the floor.
        let ixt: (Int) -> Double = { i in i < 20 ? 0.01 : 0.0 }
        let ity: (Int) -> Double = { _ in 0.0 }
        #expect(run(evaluations: 40, ixt: ixt, ity: ity, accuracy: { _ in 0.95 }).isEmpty)
        var noFloor = AlertThresholds()
        noFloor.compressionOnset.absoluteFloorBits = 0
        #expect(run(evaluations: 40, thresholds: noFloor, ixt: ixt, ity: ity, accuracy: { _ in 0.95 }).count == 1)
    }

    @Test func twoEpisodesGiveTwoAlerts() throws {
        let ixt: (Int) -> Double = { alertPiecewise([(0, 5), (20, 7), (25, 7), (45, 5), (65, 7.5), (70, 7.5), (90, 5)], at: $0) }
        let alerts = run(evaluations: 100, ixt: ixt, ity: { _ in 0.9 }, accuracy: { _ in 0.95 })
        try #require(alerts.count == 2)
        let peaks = try alerts.map { try decodeAlertEvidence(CompressionOnsetEvidence.self, $0).peakStep }
        // Each onset lies on its plateau (steps 200-250 and 650-700), give or take the median's lag.
        #expect(peaks[0] >= 200 && peaks[0] <= 270)
        #expect(peaks[1] >= 650 && peaks[1] <= 720)
        #expect(alerts[0].step < alerts[1].step)
    }

    @Test func noAlertWhileLabelInformationFallsToo() {
        // Both fall together: not the fitting -> compression turn (the network is losing
        // what it learned), so compression_onset stays silent.
        let ixt: (Int) -> Double = { alertPiecewise([(0, 6), (30, 7.6), (40, 7.6), (79, 4)], at: $0) }
        let ity: (Int) -> Double = { alertPiecewise([(0, 0.1), (30, 0.9), (40, 0.9), (79, 0.3)], at: $0) }
        #expect(run(evaluations: 80, ixt: ixt, ity: ity, accuracy: { _ in 0.95 }).isEmpty)
    }

    @Test func severalEstimatorsAndSplitsOfOneLayerShareTheEpisode() {
        var engine = AlertEngine()
        var alerts: [AlertRecord] = []
        for i in 0..<80 {
            let step = Int64(i) * 10
            let v = alertPiecewise([(0, 6), (30, 7.6), (40, 7.6), (79, 4)], at: i)
            alerts += engine.observe(ScalarRecord(run: "run", step: step, epoch: 0, split: .train, values: ["accuracy": 0.95]), at: alertEpoch)
            alerts += engine.observe([
                alertPoint(Metric.inputInformation, split: .train, estimator: .binning, step: step, value: v),
                alertPoint(Metric.inputInformation, split: .train, estimator: .ksg1, step: step, value: v * 0.5),
                alertPoint(Metric.inputInformation, split: .probe, estimator: .binning, step: step, value: v),
                alertPoint(Metric.inputInformation, layer: "L4", split: .train, estimator: .binning, step: step, value: 9),
            ], at: alertEpoch)
        }
        #expect(alerts.count == 1)
        #expect(alerts.first?.layer == "L5")
    }

    @Test func natsSeriesUseTheFloorInNats() {
        // 0.12 nats = 0.173 bit falls to 0.05 nats: above a 0.1-bit floor in bits (0.069 nats).
        var engine = AlertEngine()
        var alerts: [AlertRecord] = []
        for i in 0..<40 {
            let v = i < 20 ? 0.12 : 0.05
            alerts += engine.observe(ScalarRecord(run: "run", step: Int64(i), epoch: 0, split: .train, values: ["acc": 0.99]), at: alertEpoch)
            alerts += engine.observe(alertPoint(Metric.inputInformation, step: Int64(i), value: v, units: .nats), at: alertEpoch)
        }
        #expect(alerts.count == 1)
    }
}
