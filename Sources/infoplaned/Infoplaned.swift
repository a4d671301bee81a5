import ArgumentParser
import Foundation
import InfoplaneDaemon
import InfoplaneServer
import Logging

/// `infoplaned`: the Infoplane daemon. Parses its flags, reads the configuration and runs
/// the service graph `Daemon` builds.
@main
struct Infoplaned: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infoplaned",
        abstract: "The Infoplane daemon: receives activation snapshots from training jobs and estimates their information plane.",
        version: InfoplaneServerVersion.string)

    @Option(help: "Configuration file (TOML). Default: \(DaemonConfiguration.defaultPath) if it exists.")
    var config: String?

    @Option(help: "Unix socket path (overrides ingest.socket_path).")
    var socket: String?

    @Option(help: "TCP listen address host:port (overrides ingest.tcp).")
    var tcp: String?

    @Flag(help: "Do not listen on TCP.")
    var noTcp = false

    @Option(help: "HTTP API, dashboard and /metrics address host:port (overrides http.listen).")
    var http: String?

    @Flag(help: "Do not serve HTTP (API, dashboard, /metrics).")
    var noHttp = false

    @Option(help: "State directory (overrides daemon.state_dir).")
    var stateDir: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    @Option(help: "Largest accepted message in bytes (overrides ingest.max_message_bytes).")
    var maxMessageBytes: Int?

    @Option(help: "Send credits per session (overrides ingest.credits).")
    var credits: Int?

    @Option(help: "Idle timeout in milliseconds (overrides ingest.idle_timeout_ms).")
    var idleTimeoutMs: Int?

    @Option(help: "Seconds between systemd STATUS= updates (overrides daemon.status_interval_seconds).")
    var statusIntervalSeconds: Int?

    @Option(help: "Where accepted snapshots go: monitor, counting (counts and checksums, for tests) or discard (counts only, for benchmarks) (overrides daemon.sink).")
    var sink: String?

    @Option(help: "Counting sink: write a JSON report of what arrived to this file on exit.")
    var sinkReport: String?

    @Flag(help: "Print the effective configuration and exit (non-zero on an invalid configuration).")
    var checkConfig = false

    var overrides: DaemonOverrides {
        var o = DaemonOverrides()
        o.socket = socket
        o.tcp = tcp
        o.noTCP = noTcp
        o.http = http
        o.noHTTP = noHttp
        o.stateDirectory = stateDir
        o.logLevel = logLevel
        o.maxMessageBytes = maxMessageBytes
        o.credits = credits
        o.idleTimeoutMilliseconds = idleTimeoutMs
        o.statusIntervalSeconds = statusIntervalSeconds
        o.sink = sink
        o.sinkReport = sinkReport
        return o
    }

    func run() async throws {
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.effective(file: config, overrides: overrides)
        } catch {
            FileHandle.standardError.write(Data("infoplaned: invalid configuration: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if checkConfig {
            print(configuration.rendered, terminator: "")
            return
        }

        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = JournalLogHandler.isConnectedToJournal
                ? JournalLogHandler(label: label)
                : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "infoplaned")
        DescriptorLimits.raiseSoftLimitToHard()
        DescriptorLimits.logAtStart(logger)
        let daemon: Daemon
        do {
            daemon = try await Daemon(configuration: configuration, inheritedListeners: SocketActivation.inheritedListeners(),
                                      logger: logger)
        } catch {
            if case .cannotStartHTTP = error { FileHandle.standardError.write(Data("Error: \(error)\n".utf8)) }
            throw ExitCode(error.exitStatus)
        }
        try await daemon.run()
    }
}
