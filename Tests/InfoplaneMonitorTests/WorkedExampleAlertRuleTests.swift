import Foundation
import Testing
@testable import InfoplaneMonitor

/// The worked examples of Documentation/alerts.md, run through the engine: if a rule
/// changes, these numbers and the document must change together.
@Suite struct WorkedExampleAlertRuleTests {
    /// One evaluation of an example: the scalars, then the points, fed to the engine in that order.
    struct Evaluation {
        var scalars: [ScalarRecord] = []
        var points: [SeriesPoint] = []
    }

    /// Runs the evaluations through a fresh engine with the default thresholds.
    func alerts(_ evaluations: [Evaluation]) -> [AlertRecord] {
        var engine = AlertEngine()
        var alerts: [AlertRecord] = []
        for evaluation in evaluations {
            for record in evaluation.scalars { alerts += engine.observe(record, at: alertEpoch) }
            if !evaluation.points.isEmpty { alerts += engine.observe(evaluation.points, at: alertEpoch) }
        }
        return alerts
    }

    @Test func compressionOnsetExample() throws {
        let alerts = alerts(Self.compressionEpochs.enumerated().map { i, epoch in
            Evaluation(scalars: [ScalarRecord(run: "szt", step: epoch, epoch: epoch, split: .train,
                                              values: ["accuracy": 0.95])],
                       points: [alertPoint(Metric.inputInformation, layer: "layer5", step: epoch, value: Self.compressionIXT[i],
                                           run: "szt"),
                                alertPoint(Metric.labelInformation, layer: "layer5", step: epoch, value: Self.compressionITY[i],
                                           run: "szt")])
        })
        try #require(alerts.count == 1)
        let e = try decodeAlertEvidence(CompressionOnsetEvidence.self, alerts[0])
        #expect(alerts[0].step == 4000)
        #expect(e.peakStep == 1750 && e.peakValue == 7.58)
        #expect(e.value == 6.62)
        #expect(abs(e.drop - 0.96) < 1e-9)
        #expect(abs(e.threshold - 0.758) < 1e-9)
        #expect(abs(e.thresholdNoise / 6 - 0.021) < 0.0005)
        #expect(e.recent.smoothed.suffix(12) == [7.52, 7.57, 7.58, 7.58, 7.58, 7.50, 7.31, 7.12, 6.95, 6.80, 6.70, 6.62])
        #expect(alerts[0].message.hasPrefix("I(X;T) of layer layer5 (probe, binning) fell from its peak 7.580 bits at step 1750 to 6.620 bits at step 4000 (-12.7 %; threshold 0.758 bits"))
    }

    @Test func overfittingLossExample() throws {
        let alerts = alerts(Self.lossEpochs.enumerated().map { i, epoch in
            Evaluation(scalars: [
                ScalarRecord(run: "szt-5pct", step: epoch, epoch: epoch, split: .train, values: ["loss": Self.trainLoss[i]]),
                ScalarRecord(run: "szt-5pct", step: epoch, epoch: epoch, split: .validation,
                             values: ["loss": Self.validationLoss[i]]),
            ])
        })
        try #require(alerts.count == 1)
        let e = try decodeAlertEvidence(OverfittingEvidence.self, alerts[0])
        #expect(alerts[0].step == 1500 && alerts[0].layer == "")
        #expect(e.referenceStep == 700 && e.validationAtReference == 0.31 && e.validation == 0.44)
        #expect(e.trainAtReference == 0.18 && e.train == 0.027)
        #expect(abs(e.noiseScale - 0.006) < 0.0005)
        #expect(abs(e.threshold - 0.0363) < 0.0005)
        #expect(e.validationRecent.smoothed.suffix(11) == [0.38, 0.33, 0.31, 0.31, 0.31, 0.31, 0.32, 0.34, 0.37, 0.40, 0.44])
        #expect(alerts[0].message.hasPrefix("Validation loss rose from its minimum 0.310 at step 700 to 0.440 at step 1500 (+0.130, threshold 0.036) while training loss went from 0.180 to 0.027"))
    }

    @Test func collapseExample() throws {
        let alerts = alerts(Self.dse.enumerated().map { i, v in
            Evaluation(points: [alertPoint(Metric.diffusionSpectralEntropy, layer: "conv3", split: .probe, estimator: .dse,
                                           step: Int64(i + 1) * 500, value: v, run: "resnet")])
        })
        try #require(alerts.count == 1)
        let e = try decodeAlertEvidence(RepresentationCollapseEvidence.self, alerts[0])
        #expect(alerts[0].step == 5500)
        #expect(e.referenceStep == 3500 && e.referenceValue == 6.03 && e.value == 2.10)
        #expect(abs(e.threshold - 1.809) < 1e-9)
        #expect(abs(e.thresholdNoise / 6 - 0.085) < 0.0005)
        #expect(e.recent.smoothed.suffix(7) == [6.05, 6.02, 6.03, 6.00, 5.98, 2.40, 2.10])
        #expect(alerts[0].message.hasPrefix("DSE(T) of layer conv3 (probe, dse) dropped from 6.030 bits at step 3500 to 2.100 bits at step 5500 (-65.2 % within 5 evaluations"))
    }

    @Test func stalledExample() throws {
        var engine = AlertEngine()
        let gaps: [Double] = [11.8, 12.1, 12.4, 11.9, 12.0]
        var t = 0.0
        engine.recordActivity(run: "imagenet", step: 0, at: alertEpoch)
        for (i, g) in gaps.enumerated() {
            t += g
            engine.recordActivity(run: "imagenet", step: Int64(i + 1) * 100, at: alertEpoch.addingTimeInterval(t))
        }
        var fired: [(Double, AlertRecord)] = []
        for s in 1...120 { fired += engine.tick(now: alertEpoch.addingTimeInterval(t + Double(s))).map { (Double(s), $0) } }
        try #require(fired.count == 1)
        let (after, alert) = fired[0]
        #expect(after == 62)
        #expect(alert.step == 500)
        let e = try decodeAlertEvidence(ClientStalledEvidence.self, alert)
        #expect(abs(e.expectedIntervalSeconds - 12.4) < 1e-6 && abs(e.limitSeconds - 62) < 1e-6)
        #expect(alert.message.hasPrefix("Run imagenet has sent nothing for 62 s after step 500; it used to send at least every 12.4 s (limit 62 s = max(5.000 x interval, 30 s))"))
    }
}

/// The examples' data, as Documentation/alerts.md gives it.
extension WorkedExampleAlertRuleTests {
    static let compressionEpochs: [Int64] = Array(stride(from: 250, through: 5000, by: 250))
    static let compressionIXT: [Double] = [7.10, 7.40, 7.52, 7.57, 7.60, 7.58, 7.61, 7.50, 7.31, 7.12,
                                           6.95, 6.80, 6.70, 6.62, 6.55, 6.49, 6.40, 6.31, 6.20, 6.12]
    static let compressionITY: [Double] = [0.850, 0.880, 0.890, 0.899, 0.905, 0.910, 0.915, 0.920, 0.925, 0.930,
                                           0.935, 0.940, 0.945, 0.950, 0.955, 0.960, 0.962, 0.965, 0.967, 0.970]
    static let lossEpochs: [Int64] = Array(stride(from: 100, through: 2000, by: 100))
    static let trainLoss: [Double] = [0.52, 0.40, 0.31, 0.24, 0.18, 0.14, 0.11, 0.085, 0.066, 0.052,
                                      0.041, 0.033, 0.027, 0.022, 0.018, 0.015, 0.012, 0.010, 0.008, 0.007]
    static let validationLoss: [Double] = [0.55, 0.45, 0.38, 0.33, 0.31, 0.30, 0.30, 0.31, 0.32, 0.34,
                                           0.37, 0.40, 0.44, 0.48, 0.53, 0.58, 0.64, 0.71, 0.80, 0.94]
    static let dse: [Double] = [6.10, 6.02, 6.08, 6.00, 6.05, 5.98, 6.03, 2.40, 2.10, 2.00, 1.95, 1.97]
}
