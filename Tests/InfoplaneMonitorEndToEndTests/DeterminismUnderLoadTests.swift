import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

extension MonitorEndToEndTests {
    /// One recorded stream (32 frames of 512 samples: a 64-wide layer compressed by PCA, a
    /// layer whose binned patterns rise then fall, a steady one; training accuracy 0.95),
    /// sent as fast as the daemon acknowledges into a daemon with its default estimators,
    /// twice: on an idle machine, and with both cores kept busy by two spinning processes.
    /// The stored points (every series, every value to the bit) and the alerts are the same:
    /// no frame is dropped or reordered because the machine was slower.
    @Test func theSameStreamGivesTheSamePointsAndAlertsIdleAndLoaded() async throws {
        let idle = try await Self.replayRecordedStream(loaded: false)
        let loaded = try await Self.replayRecordedStream(loaded: true)
        print("determinism: \(idle.points.count) points, alerts \(idle.storedAlerts.map { "\($0.kind)@\($0.layer):\($0.step)" }); idle \(String(format: "%.1f", idle.seconds)) s, loaded \(String(format: "%.1f", loaded.seconds)) s")
        #expect(idle.points.count > 32 * 10)
        let idlePoints = idle.points.sorted(by: Self.pointOrder), loadedPoints = loaded.points.sorted(by: Self.pointOrder)
        #expect(idlePoints == loadedPoints,
                "points differ, e.g. \(Set(idlePoints).symmetricDifference(loadedPoints).sorted(by: Self.pointOrder).prefix(4))")
        #expect(idle.storedAlerts == loaded.storedAlerts, "alerts idle: \(idle.storedAlerts)\nloaded: \(loaded.storedAlerts)")
        #expect(!idle.storedAlerts.isEmpty, "the stream is meant to raise an alert")
    }

    static func pointOrder(_ a: StoreReader.Point, _ b: StoreReader.Point) -> Bool {
        (a.layer, a.metric, a.estimator, a.split, a.step) < (b.layer, b.metric, b.estimator, b.split, b.step)
    }

    struct Replay {
        var points: [StoreReader.Point]
        var storedAlerts: [StoreReader.Alert]
        var seconds: Double
    }

    /// Replays the recorded stream into a fresh daemon (defaults but one worker: the second
    /// core is the load's), with `loaded`: two busy processes running throughout. (Before
    /// the daemon ran OpenBLAS with one thread per call, the loaded replay took over five
    /// minutes instead of about 35 s: see `BLASThreads`.)
    static func replayRecordedStream(loaded: Bool) async throws -> Replay {
        let daemon = try MonitorDaemon(configuration: """
            [scheduler]
            workers = 1
            """)
        let load = loaded ? try BusyProcesses(count: 2) : nil
        defer { load?.stop() }
        let started = Date()
        let rows = 512, frames = 32
        let levels = (0..<frames).map { i in i <= 14 ? 4 + 2 * i : max(4, 32 - 2 * (i - 14)) }
        let lastStep = Int64(frames - 1) * 10
        let outcome = try await daemon.scenario(run: "replay", timeout: 300, send: { s in
            for (i, level) in levels.enumerated() {
                let step = Int64(i) * 10
                var rng = SeededGenerator(seed: UInt64(i) + 5000)
                let compressing = ScenarioActivations.quantised(rows: rows, columns: 2, levels: level, rng: &rng)
                let steady = ScenarioActivations.quantised(rows: rows, columns: 3, levels: 6, rng: &rng)
                let labels = compressing.firstLevel.map { Int64($0 * 2 >= level ? 1 : 0) }
                try s.sendScalars(step: step, ["accuracy": 0.95, "loss": 0.1])
                try s.sendFrame(step: step, split: .probe, layers: [
                    .inputs(columns: 12, ScenarioActivations.gaussian(rows: rows, columns: 12, rng: &rng)),
                    .labels(labels),
                    .hidden("wide", columns: 64, ScenarioActivations.gaussian(rows: rows, columns: 64, rng: &rng)),
                    .hidden("compressing", columns: 2, compressing.values),
                    .hidden("steady", columns: 3, steady.values),
                ])
            }
        }, stored: { points in
            points.filter { $0.step == lastStep && $0.metric == StoreReader.Metric.diffusionSpectralEntropy }.count == 3
        })
        let seconds = Date().timeIntervalSince(started)
        load?.stop()
        #expect(outcome.errors.isEmpty, "errors: \(outcome.errors)")
        #expect(try daemon.process.stop() == 0)
        return Replay(points: outcome.points, storedAlerts: outcome.storedAlerts, seconds: seconds)
    }
}

/// Processes that keep cores busy (a shell loop each) until stopped.
final class BusyProcesses: @unchecked Sendable {
    private let processes: [Process]

    init(count: Int) throws {
        processes = try (0..<count).map { _ in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "while :; do :; done"]
            try p.run()
            return p
        }
    }

    /// SIGKILL: a test runner may ignore SIGTERM, and its children inherit that.
    func stop() {
        for p in processes where p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
    }
}
