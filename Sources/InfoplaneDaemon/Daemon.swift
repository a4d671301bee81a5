import Foundation
import InfoplaneEstimators
import InfoplaneHTTP
import InfoplaneMonitor
import InfoplaneServer
import InfoplaneStore
import Logging
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// The daemon's service graph, built from a configuration: the ingest server, the sink it
/// feeds (the monitoring pipeline over the SQLite store, or the counting sink), the HTTP
/// service, systemd notification and store retention, in the order ServiceLifecycle starts
/// them (and stops them in reverse). Building binds no socket and starts nothing;
/// `run()` runs the group until graceful shutdown.
public struct Daemon: Sendable {
    public let configuration: DaemonConfiguration
    /// The ingest configuration in effect: `max_connections` may be lowered to fit the file
    /// descriptor limit.
    public let ingestConfiguration: IngestConfiguration
    public let listeners: [IngestListener]
    public let statistics: IngestStatistics
    public let server: IngestServer
    /// The monitoring pipeline, with `daemon.sink = "monitor"`.
    public let pipeline: MonitorPipeline?
    /// The counting sink, with `daemon.sink = "counting"` or `"discard"`.
    public let counting: CountingSnapshotSink?
    public let httpService: HTTPService?
    /// The services in start order.
    public let services: [ServiceGroupConfiguration.ServiceConfiguration]
    private let logger: Logger
    /// `<state-dir>/infoplaned.lock`, held while the daemon exists (one daemon per state
    /// directory; released when the last copy of this value goes).
    private let stateLock: LockFile?

    /// Builds the service graph. `inheritedListeners` are the sockets systemd passed (socket
    /// activation); when empty the daemon binds those of the configuration.
    public init(configuration: DaemonConfiguration, inheritedListeners: [IngestListener] = [],
                logger: Logger = Logger(label: "infoplaned")) async throws(DaemonStartError) {
        self.configuration = configuration
        self.logger = logger
        var ingest = configuration.ingest
        if let fitting = DescriptorLimits.connectionLimitThatFits(ingest.maxConnections) {
            logger.notice("ingest.max_connections lowered to fit the file descriptor limit", metadata: [
                "configured": "\(ingest.maxConnections)", "effective": "\(fitting)",
                "reserved_for_other_uses": "\(DescriptorLimits.reservedForOtherUses)",
            ])
            ingest.maxConnections = fitting
            ingest.maxConnectionsPerPeer = min(ingest.maxConnectionsPerPeer, fitting)
        }
        ingestConfiguration = ingest

        var listeners = inheritedListeners
        if listeners.isEmpty {
            if let path = configuration.ingest.socketPath { listeners.append(.unix(path: path, mode: configuration.ingest.socketMode)) }
            if let host = configuration.ingest.tcpHost { listeners.append(.tcp(host: host, port: configuration.ingest.tcpPort)) }
        } else {
            logger.info("socket activated", metadata: ["listeners": "\(listeners)"])
        }
        guard !listeners.isEmpty else {
            logger.error("nothing to listen on: set ingest.socket_path or ingest.tcp")
            throw .nothingToListenOn
        }
        self.listeners = listeners

        let statistics = IngestStatistics()
        self.statistics = statistics
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        let sink: any SnapshotSink
        var alertFeed: AsyncStream<MonitorEvent>?
        var seriesStore: (any SeriesStore)?
        var pipeline: MonitorPipeline?
        var counting: CountingSnapshotSink?
        var stateLock: LockFile?
        switch configuration.sink {
        case "counting", "discard":
            let sinkCounting = CountingSnapshotSink(computesChecksums: configuration.sink == "counting")
            counting = sinkCounting
            sink = sinkCounting
        default:
            let blasThreads = BLASThreads.useOnePerCallUnlessConfigured()
            logger.info("BLAS threads per call", metadata: ["threads": "\(blasThreads)",
                                                           "why": "the estimation workers are the parallelism; set OPENBLAS_NUM_THREADS to choose"])
            let (store, lock) = try Self.openStore(configuration, logger: logger)
            stateLock = lock
            seriesStore = store
            let monitor = MonitorPipeline(configuration: configuration.monitor, store: store, waitingFrames: store,
                                          logger: Logger(label: "infoplane.monitor"))
            await monitor.setStoreRetryLimit(points: configuration.store.retryQueuePoints)
            do {
                try await monitor.resumeWaitingFrames()
            } catch {
                logger.error("the frames kept from before cannot be listed; they wait in the store until the next start",
                             metadata: ["error": "\(error)"])
            }
            pipeline = monitor
            sink = monitor
            alertFeed = monitor.events.subscribe()
            services.append(.init(service: MonitorPipelineService(pipeline: monitor)))
            // Returns at once when nothing is to be pruned: that must not stop the daemon.
            services.append(.init(service: StoreRetentionService(store: store, policy: configuration.store.retention,
                                                                 logger: Logger(label: "infoplane.store")),
                                  successTerminationBehavior: .ignore))
        }
        self.pipeline = pipeline
        self.counting = counting
        self.stateLock = stateLock

        let server = IngestServer(configuration: ingest, listeners: listeners, sink: sink,
                                  group: MultiThreadedEventLoopGroup.singleton, statistics: statistics,
                                  alertFeed: alertFeed, logger: logger)
        self.server = server
        let httpService: HTTPService?
        do {
            httpService = try Self.makeHTTPService(configuration, store: seriesStore, pipeline: pipeline, statistics: statistics,
                                                   listeners: listeners.map { "\($0)" }, logger: logger)
        } catch {
            throw .cannotStartHTTP("\(error)")
        }
        self.httpService = httpService
        let rate = RateMeter()
        let notifier = SystemdNotifier(
            ready: Self.readiness(ingest: server.listeningAddresses, http: httpService?.boundAddress),
            statusInterval: .seconds(configuration.statusIntervalSeconds),
            status: { [pipeline] in
                let v = statistics.values
                let perSecond = rate.update(total: v.snapshotsAccepted)
                var line = "\(v.openConnections) connections, \(v.snapshotsAccepted) snapshots (\(String(format: "%.1f", perSecond))/s), \(v.errorsSent) errors"
                if let counters = await pipeline?.counterSnapshot() {
                    line += ", \(counters.framesEstimated) frames estimated, \(counters.framesWaiting) waiting (lag \(counters.maxLagSteps) steps), \(counters.framesDropped) dropped"
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
        self.services = services
    }

    /// The service group over `services`, shut down gracefully on SIGTERM and SIGINT.
    public func makeServiceGroup(gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint]) -> ServiceGroup {
        ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: gracefulShutdownSignals, logger: logger))
    }

    /// Runs the services until graceful shutdown, then writes the counting sink's report
    /// when `daemon.sink_report` is set.
    public func run() async throws {
        defer { withExtendedLifetime(stateLock) {} }
        try await makeServiceGroup().run()
        try await writeSinkReport()
        logger.info("stopped", metadata: ["snapshots": "\(statistics.values.snapshotsAccepted)"])
    }

    /// Writes the counting sink's report to `daemon.sink_report`, if both are there.
    public func writeSinkReport() async throws {
        guard let path = configuration.sinkReportPath, let counting else { return }
        try await SinkReport(sink: counting).write(to: path)
        logger.info("wrote sink report", metadata: ["path": "\(path)"])
    }

    /// Opens `<state-dir>/infoplane.sqlite` after taking the state directory's lock.
    private static func openStore(_ configuration: DaemonConfiguration,
                                  logger: Logger) throws(DaemonStartError) -> (SQLiteSeriesStore, LockFile) {
        let directory = configuration.stateDirectory
        let storePath = (directory as NSString).appendingPathComponent("infoplane.sqlite")
        let lock: LockFile
        let store: SQLiteSeriesStore
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // One daemon per state directory: a second one on the same store is refused.
            lock = try LockFile.acquire(path: (directory as NSString).appendingPathComponent("infoplaned.lock"),
                                        guarding: "the state directory \(directory)",
                                        remedy: "give this one a state directory of its own (--state-dir, daemon.state_dir)")
            store = try SQLiteSeriesStore(path: storePath, configuration: configuration.store)
        } catch let error as LockFileError {
            logger.critical("\(error)", metadata: ["holder_pid": "\(error.holder.map(String.init) ?? "unknown")"])
            throw .stateDirectoryInUse("\(error)")
        } catch {
            logger.critical("cannot open the store", metadata: ["path": "\(storePath)", "error": "\(error)"])
            throw .cannotOpenStore(path: storePath, "\(error)")
        }
        logger.info("store opened", metadata: ["path": "\(storePath)"])
        return (store, lock)
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

/// Why the daemon could not be built; each has the exit status `infoplaned` ends with.
public enum DaemonStartError: Error, CustomStringConvertible, Equatable {
    /// Neither a Unix socket nor a TCP address is configured, and systemd passed none.
    case nothingToListenOn
    /// Another daemon holds the state directory's lock.
    case stateDirectoryInUse(String)
    case cannotOpenStore(path: String, String)
    case cannotStartHTTP(String)

    public var exitStatus: Int32 {
        switch self {
        case .nothingToListenOn: 2
        case .stateDirectoryInUse, .cannotOpenStore, .cannotStartHTTP: 1
        }
    }

    public var description: String {
        switch self {
        case .nothingToListenOn: "nothing to listen on: set ingest.socket_path or ingest.tcp"
        case .stateDirectoryInUse(let problem): problem
        case .cannotOpenStore(let path, let problem): "cannot open the store \(path): \(problem)"
        case .cannotStartHTTP(let problem): "cannot start the HTTP service: \(problem)"
        }
    }
}
