import Foundation
import Hummingbird
import InfoplaneMonitor
import Logging
import NIOCore
import ServiceLifecycle

/// The daemon's HTTP side as a ServiceLifecycle service: the JSON/CSV API, the live event
/// stream, the dashboard and `/metrics` (see Documentation/http-api.md).
///
/// `run()` subscribes to the monitor's events (numbering them for the live stream and
/// feeding the metrics), binds the listener, logs `http listening address=HOST:PORT`, and
/// serves until graceful shutdown, which also ends every open event stream.
public final class HTTPService: Service, Sendable {
    public let configuration: HTTPConfiguration
    public let metrics: InfoplaneMetrics
    let store: any SeriesStore
    let events: MonitorEvents
    let status: @Sendable () async -> DaemonStatusSnapshot
    let logger: Logger
    let control: PipelineControl?
    let hub: EventHub
    private let bound: AsyncStream<String>.Continuation
    /// Yields the bound `host:port` once listening (port resolved when configured as 0).
    public let boundAddress: AsyncStream<String>

    public init(configuration: HTTPConfiguration = HTTPConfiguration(), store: any SeriesStore, events: MonitorEvents,
                metrics: InfoplaneMetrics? = nil, status: @escaping @Sendable () async -> DaemonStatusSnapshot,
                control: PipelineControl? = nil, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.events = events
        self.status = status
        self.logger = logger
        self.control = control
        self.metrics = metrics ?? InfoplaneMetrics(version: "unknown", startedAt: Date())
        self.hub = EventHub(capacity: configuration.eventRingCapacity)
        (boundAddress, bound) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
    }

    var api: HTTPAPI {
        HTTPAPI(store: store, hub: hub, metrics: metrics, status: status, keepAliveSeconds: configuration.keepAliveSeconds,
                logger: logger, control: control)
    }

    public func run() async throws {
        // Subscribe before serving so that nothing published from now on is missed.
        let stream = events.subscribe(bufferSize: 8192)
        if let newest = try? await store.newestAlertID() { hub.noteStoredAlert(id: newest) }
        let hub = self.hub
        let metrics = self.metrics
        // A child task (cancelled when run returns), so that it runs where the service runs.
        async let _ = {
            for await event in stream {
                metrics.observe(event)
                hub.publish(event)
            }
        }()

        let logger = self.logger
        let bound = self.bound
        let host = configuration.host
        let app = Application(
            router: api.router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "infoplaned"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let address = "\(host.contains(":") ? "[\(host)]" : host):\(port)"
                logger.info("http listening", metadata: ["address": "\(address)"])
                bound.yield(address)
                bound.finish()
            },
            logger: logger)
        do {
            try await withGracefulShutdownHandler {
                try await app.run()
            } onGracefulShutdown: {
                hub.finish()
            }
        } catch {
            bound.finish()
            logger.error("http server failed", metadata: ["address": "\(configuration.address)", "error": "\(error)"])
            throw HTTPServiceError.cannotServe(address: configuration.address, underlying: "\(error)")
        }
        hub.finish()
    }
}

public enum HTTPServiceError: Error, CustomStringConvertible {
    case cannotServe(address: String, underlying: String)

    public var description: String {
        switch self {
        case let .cannotServe(address, underlying):
            return "cannot serve HTTP on \(address): \(underlying); choose another address with [http] listen or --http HOST:PORT, or disable it with --no-http"
        }
    }
}
