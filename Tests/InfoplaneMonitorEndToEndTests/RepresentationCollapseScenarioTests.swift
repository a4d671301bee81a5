import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

extension MonitorEndToEndTests {
    /// Layer `collapsing` is full-rank Gaussian (8 columns) until a known step, then every
    /// row falls onto one of four codes along a single direction (rank 1, tiny jitter):
    /// its diffusion spectral entropy drops sharply. Layer `healthy` stays Gaussian. The
    /// layers are 8 wide and the compression target is set to 8, so DSE sees them as they are.
    /// Expected: exactly one `representation_collapse`, for `collapsing`, after the step.
    @Test func representationCollapseFiresWhenALayerLosesRank() async throws {
        let daemon = try MonitorDaemon(configuration: ScenarioConfiguration.estimation(["dse"], extra: """
            kernel_max_samples = 384
            """) + """

            [compression]
            dimension = 8
            """)
        let run = "collapse"
        let rows = 384
        let evaluations = 14
        let collapseIndex = 8

        let outcome = try await daemon.scenario(run: run, evaluations: evaluations, evaluation: { s, i in
            var rng = SeededGenerator(seed: UInt64(i) + 300)
            let collapsing = i < collapseIndex
                ? ScenarioActivations.gaussian(rows: rows, columns: 8, rng: &rng)
                : ScenarioActivations.collapsed(rows: rows, columns: 8, jitter: 0.01, rng: &rng)
            try s.sendFrame(step: Int64(i), split: .probe, layers: [
                .hidden("collapsing", columns: 8, collapsing),
                .hidden("healthy", columns: 8, ScenarioActivations.gaussian(rows: rows, columns: 8, rng: &rng)),
            ])
        }, lastStepStored: { points in
            points.filter { $0.metric == StoreReader.Metric.diffusionSpectralEntropy }.count == 2
        })

        let dse = outcome.series(layer: "collapsing", metric: StoreReader.Metric.diffusionSpectralEntropy)
        try #require(dse.count == evaluations, "stored DSE: \(dse)\n\(daemon.process.log.suffix(3000))")
        let before = dse.prefix(collapseIndex).min() ?? 0, after = dse.suffix(from: collapseIndex).max() ?? .infinity
        #expect(after < 0.6 * before, "DSE of the collapsing layer: \(dse)")

        #expect(outcome.storedAlerts.map(\.kind) == ["representation_collapse"], "stored alerts:\n\(outcome.storedSummary)")
        let alert = try #require(outcome.storedAlerts.first)
        #expect(alert.layer == "collapsing")
        print("representation_collapse: collapse at step \(collapseIndex), alert at step \(alert.step); DSE \(dse.map { String(format: "%.2f", $0) })")
        #expect(alert.step >= Int64(collapseIndex) && alert.step <= Int64(collapseIndex) + 5, "confirmed at step \(alert.step)")
        #expect(outcome.receivedAlerts.map(\.kind) == ["representation_collapse"])
        #expect(outcome.receivedAlerts.first?.layer == "collapsing")
        #expect(outcome.errors.isEmpty, "errors: \(outcome.errors)")
        #expect(try daemon.process.stop() == 0)
    }
}
