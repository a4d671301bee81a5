import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

/// The `infoplane` subcommands over the HTTP API of a live daemon.
@Suite(.serialized) struct CLITests {
    @Test func subcommandsAgainstALiveDaemon() async throws {
        let daemon = try await LiveDaemon()
        let e = ["--endpoint", daemon.endpoint]

        let status = try CLI.run(["status"] + e)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("infoplaned") && status.stdout.contains(": ok"))
        #expect(status.stdout.contains("1 runs"))

        let runs = try CLI.run(["runs"] + e)
        #expect(runs.status == 0 && runs.stdout.contains(KnownRun.run) && runs.stdout.contains("known-run"))

        let csv = try CLI.run(["series", KnownRun.run, "--layer", "L2", "--metric", "I(X;T)", "--format", "csv"] + e)
        #expect(csv.status == 0, "\(csv.stderr)")
        let rows = csv.stdout.split(separator: "\r\n").dropFirst()
        #expect(rows.count == KnownRun.steps.count)
        #expect(rows.map { Double($0.split(separator: ",")[6]) } == KnownRun.steps.map { KnownRun.ixt(1, $0) })

        let json = try CLI.run(["series", KnownRun.run, "--estimator", "mixed", "--format", "json"] + e)
        let series = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])["series"] as? [[String: Any]]
        #expect(series?.count == KnownRun.mixedLayers.count)

        let table = try CLI.run(["series", KnownRun.run, "--metric", "DSE(T)", "--layer", "L3"] + e)
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("LAYER") == true && lines.count == 1 + KnownRun.steps.count)
        #expect(lines.last?.contains(String(format: "%.6g", KnownRun.dse(2, 40))) == true)

        let alerts = try CLI.run(["alerts", "--run", KnownRun.run] + e)
        #expect(alerts.status == 0)
        let alertLines = alerts.stdout.split(separator: "\n")
        #expect(alertLines.count == 2 && alertLines[0].contains("compression_onset") && alertLines[1].contains("overfitting"))

        let unknown = try CLI.run(["series", "no-such-run"] + e)
        #expect(unknown.status != 0 && unknown.stderr.contains("404") && unknown.stderr.contains("no-such-run"))

        let svgPath = daemon.process.directory.appendingPathComponent("plane.svg").path
        let plot = try CLI.run(["plot", KnownRun.run, "--out", svgPath] + e)
        #expect(plot.status == 0, "\(plot.stderr)")
        let svg = try String(contentsOfFile: svgPath, encoding: .utf8)
        let trajectories = svg.matches(of: /class="trajectory" data-layer="([^"]+)" data-points="(\d+)"/)
        #expect(trajectories.map { String($0.output.1) } == KnownRun.layers)
        #expect(trajectories.map { Int($0.output.2) } == KnownRun.layers.map { _ in KnownRun.steps.count })
        #expect(svg.components(separatedBy: "<circle ").count - 1 == KnownRun.layers.count * KnownRun.steps.count)
        #expect(try daemon.process.stop() == 0)
    }

    @Test func daemonNotRunningSaysHowToStartIt() throws {
        // Port 1 on loopback: nothing listens there.
        for arguments in [["status"], ["runs"], ["series", "r"], ["alerts"], ["alerts", "--follow"], ["plot", "r", "--out", "/tmp/x.svg"]] {
            let r = try CLI.run(arguments + ["--endpoint", "http://127.0.0.1:1"])
            #expect(r.status != 0, "\(arguments)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains("cannot reach infoplaned at http://127.0.0.1:1") && r.stderr.contains("start it with `infoplaned`"),
                    "\(arguments): \(r.stderr)")
        }
    }

    /// `alerts --follow` prints an alert raised while it runs: a run that sends a few
    /// snapshots, then goes silent, raises client_stalled after ~1 s of silence.
    @Test func followPrintsAnAlertAsItHappens() async throws {
        let daemon = try await LiveDaemon(configuration: """
            [estimation]
            estimators = ["binning_ixt"]

            [alerts.client_stalled]
            min_silence_seconds = 1.0
            factor = 2.0
            burst_seconds = 0.1
            min_intervals = 3
            """)
        let follower = Process()
        follower.executableURL = CLI.binary
        follower.arguments = ["alerts", "--follow", "--endpoint", daemon.endpoint]
        let out = Pipe()
        follower.standardOutput = out
        follower.standardError = out
        try follower.run()
        defer { if follower.isRunning { follower.terminate() } }
        let collected = OutputCollector(out.fileHandleForReading)

        #expect(collected.wait(timeout: 10) { $0.contains("overfitting") }, "the stored alerts first: \(collected.text)")
        let socket = daemon.process.socketPath
        // The session ends without Goodbye (the connection just closes): a vanished run.
        try await BlockingWorkers.run {
            let s = try InfoplaneSession(address: socket)
            try s.hello(run: "stalls")
            for step in 0..<5 {
                try s.send(snapshot: SnapshotFactory.snapshot(step: Int64(step), layer: "hidden", rows: 64, columns: 2, seed: Float(step)))
                usleep(200_000)
            }
            try s.drain()
        }
        let printed = collected.wait(timeout: 20) { $0.contains("client_stalled") }
        #expect(printed, "no client_stalled line within 20 s:\n\(collected.text)\n\(daemon.process.log.suffix(2000))")
        let line = collected.text.split(separator: "\n").first { $0.contains("client_stalled") }
        #expect(line?.contains("stalls") == true)
        follower.terminate()
        #expect(try daemon.process.stop() == 0)
    }
}

/// Accumulates a pipe's output on a background thread.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    init(_ handle: FileHandle) {
        Thread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                self.lock.withLock { self.data.append(chunk) }
            }
        }.start()
    }

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

    func wait(timeout: Double, until condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(text) { return true }
            usleep(50_000)
        }
        return condition(text)
    }
}
