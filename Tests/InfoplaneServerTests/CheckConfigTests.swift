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

    @Test func badValueIsNamed() throws {
        let (status, output) = try checkConfig("[ingest]\ncredits = 0\n")
        #expect(status != 0)
        #expect(output.contains("ingest.credits"))
        #expect(output.contains("out of range"))
        let (status2, output2) = try checkConfig("[ingest]\ntcp = \"localhost\"\n")
        #expect(status2 != 0)
        #expect(output2.contains("ingest.tcp"))
        let (status3, output3) = try checkConfig("[daemon]\nlog_level = 3\n")
        #expect(status3 != 0)
        #expect(output3.contains("daemon.log_level"))
    }

    @Test func outOfRangeMonitorValuesAreNamed() throws {
        let (status, output) = try checkConfig("[alerts.compression_onset]\nrelative_drop = 1.5\n")
        #expect(status != 0)
        #expect(output.contains("alerts.compression_onset.relative_drop"), "\(output)")
        #expect(output.contains("between 0 and 1"), "\(output)")
        let (status2, output2) = try checkConfig("[store.retention]\nmax_steps_per_series = 0\n")
        #expect(status2 != 0)
        #expect(output2.contains("max_steps_per_series must be >= 1"), "\(output2)")
        let (status3, output3) = try checkConfig("[store.retention]\nmax_steps_per_series = 100\nprune_interval_seconds = 60\n")
        #expect(status3 == 0, "\(output3)")
        #expect(output3.contains("prune_interval_seconds = 60"), "\(output3)")
    }

    @Test func unknownKeyIsAnError() throws {
        let (status, output) = try checkConfig("[ingest]\nsocket_paht = \"/tmp/x.sock\"\n")
        #expect(status != 0)
        #expect(output.contains("ingest.socket_paht"))
        #expect(output.contains("unknown key"))
        let (status2, output2) = try checkConfig("verbose = true\n")
        #expect(status2 != 0)
        #expect(output2.contains("verbose"))
    }
}
