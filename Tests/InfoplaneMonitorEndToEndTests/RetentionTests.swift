import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

extension MonitorEndToEndTests {
    /// `[store.retention] max_steps_per_series = 3` with a one-second prune interval: after
    /// eight frames and eight scalar records, the running daemon has pruned every series and
    /// every scalar down to its newest three steps, logged what it deleted, and kept the run.
    @Test func retentionPrunesTheStoreWhileRunning() async throws {
        let configuration = ScenarioConfiguration.estimation(["binning_ixt", "binning_ity"]) + """

            [store.retention]
            max_steps_per_series = 3
            prune_interval_seconds = 1
            """
        let daemon = try MonitorDaemon(configuration: configuration)
        let run = "retention"
        let steps = (0..<8).map { Int64($0) * 10 }
        try await BlockingWorkers.run { [daemon] in
            let s = try InfoplaneSession(address: daemon.socketPath)
            try s.hello(run: run)
            for step in steps {
                try s.sendScalars(step: step, ["loss": 1 / Double(step + 1)])
                try s.sendFrame(step: step, split: .probe, layers: Self.crashFrame(step: step, rows: 256))
            }
            try s.drain()
            try s.goodbye()
        }
        let kept = Set(steps.suffix(3))
        // Two layers × I(X;T), I(T;Y) = 4 series; each pruned to the last 3 steps.
        let points = try daemon.waitForStore(timeout: 60, read: { try $0.points(run: run) }) { points in
            Set(points.map(\.step)) == kept && points.count == 4 * 3
        }
        #expect(Set(points.map(\.step)) == kept, "steps left: \(Set(points.map(\.step)).sorted())")
        #expect(points.count == 4 * 3)
        let scalars = try daemon.waitForStore(timeout: 10, read: { try $0.scalarSteps(run: run) }) { Set($0.map(\.step)) == kept }
        #expect(Set(scalars.map(\.step)) == kept && scalars.count == 3, "scalars left: \(scalars.map(\.step))")
        #expect(try daemon.store.runID(named: run) != nil)
        #expect(daemon.process.log.contains("retention pruned the store"), "\(daemon.process.log.suffix(2000))")
        #expect(try daemon.process.stop() == 0)
    }
}
