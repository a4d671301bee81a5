import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

extension MonitorEndToEndTests {
    /// kill -9 while acknowledged frames wait for a slow estimator, then a restart on the
    /// same state directory: each frame is, at the kill, either estimated or waiting (never
    /// both, never neither), and the restarted daemon estimates exactly the waiting ones, once.
    @Test func framesWaitingAtAKillAreEstimatedOnceAfterTheRestart() async throws {
        let frames = 12, rows = 1024
        let first = try MonitorDaemon(configuration: ScenarioConfiguration.estimation(["dse"], extra: """
            kernel_max_samples = \(rows)
            """, workers: 1))
        let run = "waiting"
        var rng = SeededGenerator(seed: 77)
        func layers() -> [ScenarioLayer] {
            [.inputs(columns: 8, ScenarioActivations.gaussian(rows: rows, columns: 8, rng: &rng)),
             .labels(ScenarioActivations.binaryLabels(rows: rows, rng: &rng)),
             .hidden("h", columns: 32, ScenarioActivations.gaussian(rows: rows, columns: 32, rng: &rng))]
        }
        let sent = (0..<frames).map { _ in layers() }
        let socket = first.socketPath
        let errors = try await BlockingWorkers.run { () -> [Infoplane_V1_Error] in
            let s = try InfoplaneSession(address: socket)
            try s.hello(run: run)
            for step in 0..<frames { try s.sendFrame(step: Int64(step), split: .probe, layers: sent[step]) }
            try s.drain()  // every snapshot acknowledged: every frame saved
            return s.errors
        }
        first.process.signal(SIGKILL)
        _ = try first.process.waitForExit(timeout: 10)
        #expect(errors.isEmpty, "errors: \(errors)")

        let all = Set((0..<Int64(frames)))
        let atKill = try first.store.estimatedAndWaitingSteps(run: run, metric: StoreReader.Metric.diffusionSpectralEntropy)
        print("kill -9 with frames waiting: \(atKill.estimated.count) of \(frames) estimated, \(atKill.waiting.count) waiting")
        #expect(atKill.estimated.isDisjoint(with: atKill.waiting), "estimated and still waiting: \(atKill.estimated.intersection(atKill.waiting))")
        #expect(atKill.estimated.union(atKill.waiting) == all, "lost: \(all.subtracting(atKill.estimated.union(atKill.waiting)))")
        #expect(!atKill.waiting.isEmpty, "nothing was waiting at the kill: the estimator outran the client")

        let second = try first.restarted()
        let after = try second.waitForStore(timeout: 120, read: {
            try $0.estimatedAndWaitingSteps(run: run, metric: StoreReader.Metric.diffusionSpectralEntropy)
        }) { $0.estimated == all && $0.waiting.isEmpty }
        #expect(after.estimated == all && after.waiting.isEmpty)
        let points = try second.store.points(run: run).filter { $0.metric == StoreReader.Metric.diffusionSpectralEntropy }
        #expect(points.count == frames, "one DSE point per frame, got \(points.count)")
        #expect(try second.process.stop() == 0)
        let log = second.process.log
        #expect(log.contains("frames=\(atKill.waiting.count)") && log.contains("resuming the estimation of frames kept from before"))
        #expect(log.contains("frames: \(atKill.waiting.count) estimated"), "the restarted daemon estimated another number of frames")
    }
}
