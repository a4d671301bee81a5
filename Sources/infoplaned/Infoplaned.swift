import ArgumentParser
import Foundation
import InfoplaneHTTP
import InfoplaneMonitor
import InfoplaneServer
import InfoplaneStore
import Logging
import NIOPosix
import ServiceLifecycle

/// `infoplaned`: the Infoplane daemon.
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

    func effectiveConfiguration() throws -> DaemonConfiguration {
        var c = DaemonConfiguration()
        if let config {
            try c.apply(tomlFile: config)
        } else if FileManager.default.fileExists(atPath: DaemonConfiguration.defaultPath) {
            try c.apply(tomlFile: DaemonConfiguration.defaultPath)
        }
        if let socket { c.ingest.socketPath = socket.isEmpty ? nil : socket }
        if let tcp { try c.setTCP(tcp) }
        if noTcp { c.ingest.tcpHost = nil }
        if let http { try c.setHTTP(http) }
        if noHttp { c.http = nil }
        if let stateDir { c.stateDirectory = stateDir }
        if let logLevel { try c.setLogLevel(logLevel, key: "--log-level") }
        if let maxMessageBytes { try c.set(IngestLimit.named("ingest.max_message_bytes")!, maxMessageBytes, as: "--max-message-bytes") }
        if let credits { try c.set(IngestLimit.named("ingest.credits")!, credits, as: "--credits") }
        if let idleTimeoutMs { try c.set(IngestLimit.named("ingest.idle_timeout_ms")!, idleTimeoutMs, as: "--idle-timeout-ms") }
        if let sink { try c.setSink(sink, key: "--sink") }
        if let sinkReport { c.sinkReportPath = sinkReport }
        if let statusIntervalSeconds {
            guard statusIntervalSeconds >= 1 else { throw ConfigurationError(key: "--status-interval-seconds", problem: "must be at least 1") }
            c.statusIntervalSeconds = statusIntervalSeconds
        }
        try c.validateRanges()
        return c
    }

    func run() async throws {
        let configuration: DaemonConfiguration
        do {
            configuration = try effectiveConfiguration()
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
        var ingestConfiguration = configuration.ingest
        if let fitting = DescriptorLimits.connectionLimitThatFits(ingestConfiguration.maxConnections) {
            logger.notice("ingest.max_connections lowered to fit the file descriptor limit", metadata: [
                "configured": "\(ingestConfiguration.maxConnections)", "effective": "\(fitting)",
                "reserved_for_other_uses": "\(DescriptorLimits.reservedForOtherUses)",
            ])
            ingestConfiguration.maxConnections = fitting
            ingestConfiguration.maxConnectionsPerPeer = min(ingestConfiguration.maxConnectionsPerPeer, fitting)
        }

        var listeners = SocketActivation.inheritedListeners()
        if listeners.isEmpty {
            if let path = configuration.ingest.socketPath { listeners.append(.unix(path: path, mode: configuration.ingest.socketMode)) }
            if let host = configuration.ingest.tcpHost { listeners.append(.tcp(host: host, port: configuration.ingest.tcpPort)) }
        } else {
            logger.info("socket activated", metadata: ["listeners": "\(listeners)"])
        }
        guard !listeners.isEmpty else {
            logger.error("nothing to listen on: set ingest.socket_path or ingest.tcp")
            throw ExitCode(2)
        }

        let group = MultiThreadedEventLoopGroup.singleton
        let statistics = IngestStatistics()
        let rate = RateMeter()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        let sink: any SnapshotSink
        var counting: CountingSnapshotSink?
        var pipeline: MonitorPipeline?
        var alertFeed: AsyncStream<MonitorEvent>?
        var seriesStore: (any SeriesStore)?
        /// `<state-dir>/infoplaned.lock`, held while the daemon runs (one daemon per state directory).
        var stateLock: LockFile?
        defer { withExtendedLifetime(stateLock) {} }

        switch configuration.sink {
        case "counting", "discard":
            let c = CountingSnapshotSink(computesChecksums: configuration.sink == "counting")
            counting = c
            sink = c
        default:
            let storePath = (configuration.stateDirectory as NSString).appendingPathComponent("infoplane.sqlite")
            let store: SQLiteSeriesStore
            do {
                try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
                // One daemon per state directory: a second one on the same store is refused.
                stateLock = try LockFile.acquire(path: (configuration.stateDirectory as NSString).appendingPathComponent("infoplaned.lock"),
                                                 guarding: "the state directory \(configuration.stateDirectory)",
                                                 remedy: "give this one a state directory of its own (--state-dir, daemon.state_dir)")
                store = try SQLiteSeriesStore(path: storePath, configuration: configuration.store)
            } catch let error as LockFileError {
                logger.critical("\(error)", metadata: ["holder_pid": "\(error.holder.map(String.init) ?? "unknown")"])
                throw ExitCode(1)
            } catch {
                logger.critical("cannot open the store", metadata: ["path": "\(storePath)", "error": "\(error)"])
                throw ExitCode(1)
            }
            logger.info("store opened", metadata: ["path": "\(storePath)"])
            seriesStore = store
            let p = MonitorPipeline(configuration: configuration.monitor, store: store, logger: Logger(label: "infoplane.monitor"))
            await p.setStoreRetryLimit(points: configuration.store.retryQueuePoints)
            pipeline = p
            sink = p
            alertFeed = p.events.subscribe()
            services.append(.init(service: MonitorPipelineService(pipeline: p)))
            // Returns at once when nothing is to be pruned: that must not stop the daemon.
            services.append(.init(service: StoreRetentionService(store: store, policy: configuration.store.retention,
                                                                 logger: Logger(label: "infoplane.store")),
                                  successTerminationBehavior: .ignore))
        }

        let server = IngestServer(configuration: ingestConfiguration, listeners: listeners, sink: sink,
                                  group: group, statistics: statistics, alertFeed: alertFeed, logger: logger)
        let httpService = try makeHTTPService(configuration, store: seriesStore, pipeline: pipeline,
                                              statistics: statistics, listeners: listeners.map { "\($0)" }, logger: logger)
        let notifier = SystemdNotifier(
            ready: Self.readiness(ingest: server.listeningAddresses, http: httpService?.boundAddress),
            statusInterval: .seconds(configuration.statusIntervalSeconds),
            status: { [pipeline] in
                let v = statistics.values
                let perSecond = rate.update(total: v.snapshotsAccepted)
                var line = "\(v.openConnections) connections, \(v.snapshotsAccepted) snapshots (\(String(format: "%.1f", perSecond))/s), \(v.errorsSent) errors"
                if let counters = await pipeline?.counterSnapshot() {
                    line += ", \(counters.framesEstimated) frames estimated, \(counters.framesDroppedBacklog) dropped, queue \(counters.queueDepth)"
                }
                return line
            },
            logger: logger)

        // Graceful shutdown runs in reverse order: systemd is told STOPPING=1, the ingest
        // server stops accepting and finishes in-flight messages, then the pipeline drains.
        services.append(.init(service: server))
        services.append(.init(service: DescriptorWatch(warnings: server.descriptorWarnings)))
        services.append(.init(service: notifier))
        // First in the list, so stopped last: the live stream sees the pipeline's final points.
        if let httpService {
            services.insert(.init(service: httpService), at: 0)
        }
        let serviceGroup = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await serviceGroup.run()

        if let path = configuration.sinkReportPath, let counting {
            try await SinkReport(sink: counting).write(to: path)
            logger.info("wrote sink report", metadata: ["path": "\(path)"])
        }
        logger.info("stopped", metadata: ["snapshots": "\(statistics.values.snapshotsAccepted)"])
    }

    /// Yields once, when every ingest listener listens and the HTTP server (when enabled) is
    /// bound: their addresses. `READY=1` waits for it, so a daemon that cannot bind its HTTP
    /// port fails to start instead of reporting ready and then exiting. Finishes without
    /// yielding when either side stops first.
    static func readiness(ingest: AsyncStream<[String]>, http: AsyncStream<String>?) -> AsyncStream<[String]> {
        AsyncStream { continuation in
            let waiting = Task {
                defer { continuation.finish() }
                guard var addresses = await ingest.first(where: { _ in true }) else { return }
                if let http {
                    guard let address = await http.first(where: { _ in true }) else { return }
                    addresses.append("http://\(address)")
                }
                continuation.yield(addresses)
            }
            continuation.onTermination = { _ in waiting.cancel() }
        }
    }
}
