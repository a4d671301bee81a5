import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

extension MonitorEndToEndTests {
    /// One alert per episode across a daemon restart. Layer `compressing` rises, peaks and
    /// falls (as in `compressionOnsetFiresOnceNearTheKnownStep`); the first daemon raises the
    /// episode's `compression_onset` and is stopped; a second daemon on the same state
    /// directory receives the rest of the same fall. The alert rules' state must be restored
    /// from the stored series when the run reconnects: without it, the second daemon sees a
    /// "peak" at its first evaluations and raises the same episode a second time.
    @Test func aRestartDoesNotRepeatAnEpisodesAlert() async throws {
        let first = try MonitorDaemon(configuration: ScenarioConfiguration.estimation(["binning_ixt", "binning_ity"]))
        let run = "restart"
        let stride: Int64 = 10
        let beforeRestart = [4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 30, 24, 16, 12, 8, 6, 4, 4, 4, 4]
        let afterRestart = [4, 4, 3, 3, 3] + [Int](repeating: 2, count: 11)

        @Sendable func send(_ s: InfoplaneSession, levels: [Int], from index: Int) throws {
            for (offset, level) in levels.enumerated() {
                let i = index + offset
                let step = Int64(i) * stride
                var rng = SeededGenerator(seed: UInt64(i) + 1)
                let compressing = ScenarioActivations.quantised(rows: 512, columns: 2, levels: level, rng: &rng)
                let labels = compressing.firstLevel.map { Int64($0 * 2 >= level ? 1 : 0) }
                try s.sendScalars(step: step, ["accuracy": 0.95, "loss": 0.1])
                try s.sendFrame(step: step, split: .probe, layers: [
                    .inputs(columns: 4, ScenarioActivations.gaussian(rows: 512, columns: 4, rng: &rng)),
                    .labels(labels),
                    .hidden("compressing", columns: 2, compressing.values),
                ])
            }
        }

        let lastBefore = Int64(beforeRestart.count - 1) * stride
        let one = try await first.scenario(run: run, send: { try send($0, levels: beforeRestart, from: 0) }, stored: { points in
            points.contains { $0.step == lastBefore && $0.metric == StoreReader.Metric.inputInformation }
        })
        try #require(one.storedAlerts.map(\.kind) == ["compression_onset"], "first daemon:\n\(one.storedSummary)")
        #expect(try first.process.stop() == 0)

        let second = try first.restarted()
        let lastAfter = Int64(beforeRestart.count + afterRestart.count - 1) * stride
        let two = try await second.scenario(run: run, send: { try send($0, levels: afterRestart, from: beforeRestart.count) }, stored: { points in
            points.contains { $0.step == lastAfter && $0.metric == StoreReader.Metric.inputInformation }
        })
        let ixt = two.series(layer: "compressing", metric: StoreReader.Metric.inputInformation)
        #expect(ixt.count == beforeRestart.count + afterRestart.count)
        // The fall after the restart is large enough to fire on its own (from 4.0 to 2.0 bits).
        #expect(ixt.suffix(afterRestart.count).first! - ixt.last! > 1.5, "I(X;T): \(ixt)")
        #expect(two.storedAlerts.map(\.kind) == ["compression_onset"], "after the restart:\n\(two.storedSummary)")
        #expect(second.process.log.contains("alert state restored"), "\(second.process.log.suffix(2000))")
        #expect(try second.process.stop() == 0)
    }
}
