import Foundation
@testable import InfoplaneDaemon
import InfoplaneMonitor
import Testing

/// The configuration as `infoplaned` decodes it: defaults, the TOML file, flags over it and
/// the errors that name the key.
@Suite struct DaemonConfigurationTests {
    func decoded(_ toml: String) throws -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        try configuration.apply(toml: toml)
        return configuration
    }

    func problem(_ toml: String) -> ConfigurationError? {
        do {
            _ = try decoded(toml)
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    @Test func anEmptyFileKeepsTheDefaults() throws {
        let configuration = try decoded("")
        #expect(configuration.ingest.socketPath == "/run/infoplane/infoplane.sock")
        #expect(configuration.ingest.tcpHost == nil)
        #expect(configuration.ingest.credits == IngestLimit.named("ingest.credits")?.defaultValue)
        #expect(configuration.sink == "monitor")
        #expect(configuration.http?.address == "127.0.0.1:7412")
        #expect(configuration.rendered == DaemonConfiguration().rendered)
    }

    @Test func everyTableIsRead() throws {
        let configuration = try decoded("""
            [ingest]
            socket_path = ""
            tcp = "127.0.0.1:7999"
            credits = 8
            socket_mode = "0600"
            [daemon]
            sink = "counting"
            log_level = "debug"
            status_interval_seconds = 7
            [http]
            listen = ""
            [scheduler]
            workers = 3
            """)
        #expect(configuration.ingest.socketPath == nil)
        #expect(configuration.ingest.tcpHost == "127.0.0.1" && configuration.ingest.tcpPort == 7999)
        #expect(configuration.ingest.credits == 8)
        #expect(configuration.ingest.socketMode == 0o600)
        #expect(configuration.sink == "counting")
        #expect(configuration.logLevel == .debug)
        #expect(configuration.statusIntervalSeconds == 7)
        #expect(configuration.http == nil)
        #expect(configuration.monitor.scheduler.workers == 3)
    }

    @Test func theRenderedConfigurationReadsBackTheSame() throws {
        var configuration = try decoded("[ingest]\ncredits = 9\ntcp = \"[::1]:7411\"\n[compression]\nmethod = \"none\"\n")
        configuration.stateDirectory = "/tmp/somewhere"
        #expect(try decoded(configuration.rendered).rendered == configuration.rendered)
    }

    @Test func unknownAndOutOfRangeKeysAreNamed() {
        #expect(problem("[ingest]\ncredit = 3")?.key == "ingest.credit")
        #expect(problem("[ingest]\ncredits = 0")
            == ConfigurationError(key: "ingest.credits", problem: "0 is out of range 1...4096 (send credits per session)"))
        #expect(problem("[daemon]\nsink = \"elsewhere\"")?.key == "daemon.sink")
        #expect(problem("[nowhere]\nx = 1")?.key == "nowhere")
        #expect(problem("[scheduler]\nworker = 1")?.key == "scheduler.worker")
        #expect(problem("[ingest]\nmax_connections = 2\nmax_connections_per_peer = 3")?.key == "ingest.max_connections_per_peer")
    }

    @Test func aTableDecodesOverTheConfigurationInEffect() throws {
        var configuration = DaemonConfiguration()
        configuration.monitor.alerts.overfitting.minSamples = 5
        try configuration.apply(toml: "[alerts.compression_onset]\nrelative_drop = 0.2\n")
        #expect(configuration.monitor.alerts.compressionOnset.relativeDrop == 0.2)
        #expect(configuration.monitor.alerts.compressionOnset.confirmEvaluations == 3)
        #expect(configuration.monitor.alerts.overfitting.minSamples == 5)
    }

    @Test func nestedKeysAreNamedAsTheFileSpellsThem() {
        #expect(problem("[alerts.compression_onset]\nrelative_drop = \"x\"")
            == ConfigurationError(key: "alerts.compression_onset.relative_drop",
                                  problem: "expected Double: Expected to decode Double but found a string instead."))
        #expect(problem("[estimation]\nestimators = [\"dse\", \"bogus\"]")?.key == "estimation.estimators.Index 1")
        #expect(problem("[alerts.compression_onset]\nrelativeDrop = 0.2")?.key == "alerts.compression_onset.relativeDrop")
    }

    @Test func flagsOverrideTheFileAndAreCheckedAlike() throws {
        var overrides = DaemonOverrides()
        overrides.socket = "/tmp/x.sock"
        overrides.tcp = "0.0.0.0:1234"
        overrides.noHTTP = true
        overrides.credits = 5
        overrides.sink = "discard"
        let configuration = try DaemonConfiguration.effective(file: "/dev/null", overrides: overrides)
        #expect(configuration.ingest.socketPath == "/tmp/x.sock")
        #expect(configuration.ingest.tcpHost == "0.0.0.0" && configuration.ingest.tcpPort == 1234)
        #expect(configuration.http == nil)
        #expect(configuration.ingest.credits == 5)
        #expect(configuration.sink == "discard")

        overrides.credits = 0
        #expect(throws: ConfigurationError(key: "--credits", problem: "0 is out of range 1...4096 (send credits per session)")) {
            try DaemonConfiguration.effective(file: "/dev/null", overrides: overrides)
        }
    }
}
