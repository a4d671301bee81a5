import Foundation
import Testing
@testable import InfoplaneMonitor

@Suite struct RepresentationCollapseAlertRuleTests {
    func feed(_ values: [Double], layer: String = "L3") -> [AlertRecord] {
        var engine = AlertEngine()
        var alerts: [AlertRecord] = []
        for (i, v) in values.enumerated() {
            alerts += engine.observe([alertPoint(Metric.diffusionSpectralEntropy, layer: layer, estimator: .dse,
                                             step: Int64(i) * 10, value: v)], at: alertEpoch)
        }
        return alerts
    }

    @Test func aSharpDropFiresOnce() throws {
        var noise = AlertTestNoise(seed: 3)
        // 6 bits, then the rank collapses over two evaluations (steps 400-410) to ~1.5 bits.
        let values = (0..<80).map { i in alertPiecewise([(0, 6), (40, 6), (42, 1.5)], at: i) + 0.05 * noise.gaussian() }
        let alerts = feed(values)
        let (alert, evidence) = try onlyAlert(alerts, .representationCollapse, layer: "L3", severity: .critical,
                                              evidence: RepresentationCollapseEvidence.self)
        #expect(evidence.referenceStep <= 410 && evidence.referenceStep >= 350)
        #expect(evidence.referenceValue > 5.5)
        #expect(alert.step >= 420 && alert.step <= 460)
        #expect(evidence.relativeDrop >= 0.3)
    }

    @Test func aSlowDeclineDoesNotFire() {
        // Halving over 100 evaluations is what training does, not a collapse.
        var noise = AlertTestNoise(seed: 4)
        let values = (0..<100).map { i in 6 - 3 * Double(i) / 99 + 0.05 * noise.gaussian() }
        #expect(feed(values).isEmpty)
    }

    @Test func collapseRecoveryAndSecondCollapseGiveTwoAlerts() {
        let values = (0..<120).map { i in alertPiecewise([(0, 6), (30, 6), (32, 2), (50, 2), (55, 6), (80, 6), (82, 1.5)], at: i) }
        #expect(feed(values).count == 2)
    }
}
