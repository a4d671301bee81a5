import Foundation
import InfoplaneTestSupport
import Testing

/// `infoplaned --check-config` on a good file, a bad value and an unknown key.
@Suite struct CheckConfigTests {
    func checkConfig(_ toml: String, extra: [String] = []) throws -> (status: Int32, output: String) {
        let dir = DaemonProcess.temporaryDirectory("cfg")
        let file = dir.appendingPathComponent("infoplaned.toml")
        try toml.write(to: file, atomically: true, encoding: .utf8)
        let result = try ProgramRun.run(DaemonProcess.binary, ["--check-config", "--config", file.path] + extra)
        return (result.status, result.combined)
    }

    @Test func goodFilePrintsTheEffectiveConfiguration() throws {
        let (status, output) = try checkConfig("""
            [ingest]
            socket_path = "/tmp/x.sock"
            credits = 8
            tcp = "127.0.0.1:9999"
            [daemon]
            log_level = "debug"
            """, extra: ["--credits", "3"])
        #expect(status == 0, "\(output)")
        #expect(output.contains(#"socket_path = "/tmp/x.sock""#))
        #expect(output.contains("credits = 3"), "flags override the file")
        #expect(output.contains(#"tcp = "127.0.0.1:9999""#))
        #expect(output.contains(#"log_level = "debug""#))
        #expect(output.contains("max_message_bytes = 67108864"), "defaults fill the rest")
    }

    @Test func shippedExampleFileIsValid() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: repo.appendingPathComponent("systemd/infoplaned.toml"), encoding: .utf8)
        let (status, output) = try checkConfig(text)
        #expect(status == 0, "\(output)")
    }

    /// Files `--check-config` refuses, with what its message must name.
    static let refused: [(toml: String, named: [String])] = [
        ("[ingest]\ncredits = 0\n", ["ingest.credits", "out of range"]),
        ("[ingest]\ntcp = \"localhost\"\n", ["ingest.tcp"]),
        ("[daemon]\nlog_level = 3\n", ["daemon.log_level"]),
        ("[alerts.compression_onset]\nrelative_drop = 1.5\n", ["alerts.compression_onset.relative_drop", "between 0 and 1"]),
        ("[store.retention]\nmax_steps_per_series = 0\n", ["max_steps_per_series must be >= 1"]),
        ("[ingest]\nsocket_paht = \"/tmp/x.sock\"\n", ["ingest.socket_paht", "unknown key"]),
        ("verbose = true\n", ["verbose"]),
    ]

    @Test(arguments: CheckConfigTests.refused)
    func badValueOrUnknownKeyIsNamed(toml: String, named: [String]) throws {
        let (status, output) = try checkConfig(toml)
        #expect(status != 0, "\(output)")
        for fragment in named { #expect(output.contains(fragment), "\(output)") }
    }

    @Test func retentionInRangeIsAccepted() throws {
        let (status, output) = try checkConfig("[store.retention]\nmax_steps_per_series = 100\nprune_interval_seconds = 60\n")
        #expect(status == 0, "\(output)")
        #expect(output.contains("prune_interval_seconds = 60"), "\(output)")
    }
}
