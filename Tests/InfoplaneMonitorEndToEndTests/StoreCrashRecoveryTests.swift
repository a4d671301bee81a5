import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

extension MonitorEndToEndTests {
    /// kill -9 of the daemon while a client streams frames, then a restart on the same state
    /// directory: every point read from the store just before the kill is still there with
    /// the same value, `PRAGMA integrity_check` says ok, and the run reconnecting under the
    /// same name keeps its run id and gets new points appended after the old ones.
    @Test func killDuringIngestKeepsCommittedPointsAndTheRunContinues() async throws {
        let first = try MonitorDaemon(configuration: ScenarioConfiguration.estimation(["binning_ixt", "binning_ity"]))
        let run = "crash"
        let rows = 512
        let socket = first.socketPath

        // Stream until killed.
        let streamer = Task {
            try await BlockingWorkers.run { () -> Int64 in
                let s = try InfoplaneSession(address: socket)
                try s.hello(run: run)
                var step: Int64 = 0
                do {
                    while step < 100_000 {
                        try s.sendFrame(step: step, split: .probe, layers: Self.crashFrame(step: step, rows: rows))
                        step += 1
                    }
                } catch {}
                return step
            }
        }
        // Wait until a good number of frames are stored, read what is there, kill at once.
        let before = try first.waitForStore(timeout: 60, read: { try $0.points(run: run) }) {
            Set($0.map(\.step)).count >= 15
        }
        let runID = try first.store.runID(named: run)
        first.process.signal(SIGKILL)
        _ = try first.process.waitForExit(timeout: 10)
        let stepsSent = try await streamer.value
        #expect(Set(before.map(\.step)).count >= 15, "only \(before.count) points stored before the kill")
        #expect(Int(stepsSent) > Set(before.map(\.step)).count, "the kill came after ingest had finished")
        #expect(runID != nil)
        print("kill -9: \(stepsSent) frames sent, \(Set(before.map(\.step)).count) steps (\(before.count) points) read from the store just before the kill")

        // Restart on the same state directory.
        let second = try first.restarted()
        #expect(try second.store.integrityCheck() == ["ok"])
        let afterRestart = try second.store.points(run: run)
        let missing = Set(before).subtracting(afterRestart)
        #expect(missing.isEmpty, "\(missing.count) of \(before.count) points committed before the kill are gone, e.g. \(missing.prefix(3))")

        // The run continues: same name → same id, new points appended.
        let lastStoredStep = afterRestart.map(\.step).max() ?? -1
        let resumeStep = lastStoredStep + 1000
        let socketAfterRestart = second.socketPath
        let resumeErrors = try await BlockingWorkers.run { () -> [Infoplane_V1_Error] in
            let s = try InfoplaneSession(address: socketAfterRestart)
            try s.hello(run: run)
            for step in resumeStep..<(resumeStep + 3) {
                try s.sendFrame(step: step, split: .probe, layers: Self.crashFrame(step: step, rows: rows))
            }
            try s.goodbye()
            return s.errors
        }
        #expect(resumeErrors.isEmpty, "errors: \(resumeErrors)")
        let resumed = try second.waitForStore(timeout: 60, read: { try $0.points(run: run) }) {
            $0.filter { $0.step >= resumeStep }.count == 3 * 4
        }
        #expect(resumed.filter { $0.step >= resumeStep }.count == 3 * 4)
        #expect(Set(afterRestart).isSubset(of: Set(resumed)))
        #expect(try second.store.runID(named: run) == runID)
        #expect(try second.process.stop() == 0)
        #expect(try second.store.integrityCheck() == ["ok"])
    }

    /// Inputs, labels and two layers; different values at every step.
    static func crashFrame(step: Int64, rows: Int) -> [ScenarioLayer] {
        var rng = SeededGenerator(seed: UInt64(step) + 900)
        let a = ScenarioActivations.quantised(rows: rows, columns: 2, levels: 10, rng: &rng)
        let b = ScenarioActivations.quantised(rows: rows, columns: 3, levels: 6, rng: &rng)
        return [
            .labels(a.firstLevel.map { Int64($0 % 2) }),
            .hidden("a", columns: 2, a.values),
            .hidden("b", columns: 3, b.values),
        ]
    }
}
