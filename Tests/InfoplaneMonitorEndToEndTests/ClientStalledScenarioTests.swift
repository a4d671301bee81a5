import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

extension MonitorEndToEndTests {
    /// A run sends a small frame every ~0.4 s, then goes silent with its connection open
    /// (a hung training loop). With `min_silence_seconds = 2`, `factor = 3`, the daemon's
    /// once-a-second tick must raise `client_stalled` for the run, after at least 2 s of
    /// silence and within a few seconds more, naming the last step sent.
    @Test func clientStalledFiresWhenARunGoesSilent() async throws {
        let minimumSilence = 2.0
        let daemon = try MonitorDaemon(configuration: ScenarioConfiguration.estimation(["binning_ixt"]) + """

            [alerts.client_stalled]
            min_silence_seconds = \(minimumSilence)
            factor = 3.0
            burst_seconds = 0.2
            min_intervals = 3
            """)
        let run = "stalling"
        let frames = 6
        let socket = daemon.socketPath
        let store = daemon.store
        let (lastSent, received, stored, alerts) = try await BlockingWorkers.run {
            () -> (Date, Bool, [StoreReader.Alert], [Infoplane_V1_Alert]) in
            let s = try InfoplaneSession(address: socket)
            try s.hello(run: run)
            var rng = SeededGenerator(seed: 7)
            for step in 0..<frames {
                try s.sendFrame(step: Int64(step), split: .probe, layers: [
                    .hidden("layer", columns: 2, ScenarioActivations.quantised(rows: 64, columns: 2, levels: 8, rng: &rng).values),
                ])
                if step < frames - 1 { usleep(400_000) }
            }
            let lastSent = Date()
            try s.drain()
            let whileSending = s.alerts.count
            // Silence: only listen.
            let received = try s.receive(until: { s.alerts.count > whileSending }, timeout: 20)
            let stored = try store.alerts(run: run)
            try s.goodbye()
            return (lastSent, received && whileSending == 0, stored, s.alerts)
        }
        #expect(received, "no alert within 20 s of silence, or one while sending: \(alerts.map(\.message))\n\(daemon.process.log.suffix(3000))")
        let alert = try #require(alerts.first)
        #expect(alerts.count == 1, "alerts: \(alerts.map(\.message))")
        #expect(alert.kind == "client_stalled")
        #expect(alert.run == run && alert.layer.isEmpty)
        #expect(alert.step == Int64(frames - 1))
        let raisedAt = Date(timeIntervalSince1970: Double(alert.timeUnixNanos) / 1e9)
        let silence = raisedAt.timeIntervalSince(lastSent)
        print("client_stalled: raised after \(String(format: "%.2f", silence)) s of silence (min_silence_seconds \(minimumSilence))")
        #expect(silence >= minimumSilence - 0.05 && silence <= minimumSilence + 6, "raised after \(silence) s of silence")

        #expect(stored.map(\.kind) == ["client_stalled"])
        #expect(stored.first?.step == Int64(frames - 1))
        #expect(try daemon.process.stop() == 0)
    }
}
