import Foundation
import InfoplaneMonitor
import InfoplaneProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Where the ingest server listens: sockets it binds itself, or sockets passed by systemd.
public enum IngestListener: Sendable, Equatable, CustomStringConvertible {
    case unix(path: String, mode: UInt16)
    case tcp(host: String, port: Int)
    /// An already bound and listening socket (systemd socket activation).
    case inherited(descriptor: Int32, name: String)

    public var description: String {
        switch self {
        case .unix(let path, _): return "unix:\(path)"
        case .tcp(let host, let port): return "tcp:\(host):\(port)"
        case .inherited(let fd, let name): return "fd:\(fd)(\(name))"
        }
    }
}

/// The ingest server: accepts client connections on every listener and runs an
/// `IngestSession` for each. A ServiceLifecycle service: on graceful shutdown it stops
/// accepting, lets every session finish the message in hand, and returns when all ended.
public final class IngestServer: Service, Sendable {
    private let configuration: IngestConfiguration
    private let listeners: [IngestListener]
    private let sink: any SnapshotSink
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    public let statistics: IngestStatistics
    private let registry = SessionRegistry()
    /// Bytes of frames still arriving, per run and in total.
    public let receiveBudget: ReceiveMemoryBudget
    private let connections: ConnectionLimiter
    private let alertFeed: AsyncStream<MonitorEvent>?
    private let listening: AsyncStream<[String]>.Continuation
    /// Yields the bound addresses once every listener is listening.
    public let listeningAddresses: AsyncStream<[String]>
    /// Warnings about file-descriptor pressure (accept errors here; `DescriptorWatch`).
    public let descriptorWarnings: DescriptorWarnings
    /// The `<socket>.lock` of every Unix socket this server bound, held while it runs.
    private let socketLocks = NIOLockedValueBox<[LockFile]>([])

    public init(configuration: IngestConfiguration, listeners: [IngestListener], sink: any SnapshotSink,
                group: MultiThreadedEventLoopGroup, statistics: IngestStatistics = IngestStatistics(),
                alertFeed: AsyncStream<MonitorEvent>? = nil, logger: Logger) {
        self.alertFeed = alertFeed
        self.configuration = configuration
        self.listeners = listeners
        self.sink = sink
        self.group = group
        self.statistics = statistics
        self.logger = logger
        self.descriptorWarnings = DescriptorWarnings(logger: logger)
        receiveBudget = ReceiveMemoryBudget(totalLimit: configuration.maxReceivingBytes, perRunLimit: configuration.maxReceivingBytesPerRun)
        connections = ConnectionLimiter(totalLimit: configuration.maxConnections, perPeerLimit: configuration.maxConnectionsPerPeer)
        (self.listeningAddresses, self.listening) = AsyncStream.makeStream(of: [String].self, bufferingPolicy: .bufferingNewest(1))
    }

    typealias ServerChannel = NIOAsyncChannel<IngestConnection, Never>

    public func run() async throws {
        var channels: [ServerChannel] = []
        var addresses: [String] = []
        for listener in listeners {
            let channel = try await bind(listener)
            channels.append(channel)
            let address = channel.channel.localAddress.map { "\($0)" } ?? listener.description
            addresses.append(address)
            logger.info("listening", metadata: ["address": "\(address)", "listener": "\(listener)"])
        }
        listening.yield(addresses)
        listening.finish()

        let sessionIDs = SessionIDGenerator()
        let forwarder = alertFeed.map { feed in Task { await registry.forwardAlerts(from: feed) } }
        defer { forwarder?.cancel() }
        try await withThrowingDiscardingTaskGroup { group in
            for channel in channels {
                group.addTask { try await self.serve(channel, sessionIDs: sessionIDs) }
            }
        }
        logger.info("ingest server stopped")
    }

    /// Accepts connections on one listener until graceful shutdown, then closes the
    /// listener and waits for its sessions to end.
    private func serve(_ channel: ServerChannel, sessionIDs: SessionIDGenerator) async throws {
        try await withThrowingDiscardingTaskGroup { sessions in
            try await channel.executeThenClose { inbound in
                for try await connection in inbound.cancelOnGracefulShutdown() {
                    let session = IngestSession(
                        connection: connection, sessionID: sessionIDs.next(), configuration: configuration,
                        sink: sink, statistics: statistics, registry: registry, logger: logger)
                    sessions.addTask { await session.run() }
                }
            }
        }
    }

    private func bind(_ listener: IngestListener) async throws -> ServerChannel {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // A client that shuts down its sending side (after Goodbye, or mid-frame) still
            // reads the answers to what it sent: the session answers, then closes.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .serverChannelInitializer { [descriptorWarnings] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptErrorLogger(warnings: descriptorWarnings, listener: listener.description))
                }
            }
            // Snapshots are megabytes: read up to 1 MiB per syscall instead of NIO's 64 KiB.
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 64 << 10, maximum: 1 << 20))
        let initializer: @Sendable (Channel) -> EventLoopFuture<IngestConnection> = { [configuration, statistics, receiveBudget, connections] channel in
            Self.identifyPeer(of: channel).flatMapThrowing { peer in
                // A connection past a limit still gets the pipeline, so that its session can
                // tell the client why before closing; it holds no place and no budget.
                let refusal = connections.admit(peer)
                if refusal == nil {
                    channel.closeFuture.whenComplete { _ in connections.release(peer) }
                }
                let memory = ConnectionMemoryAccount(budget: receiveBudget)
                return try IngestChannelPipeline.install(on: channel, configuration: configuration, statistics: statistics,
                                                         memory: memory, peer: peer,
                                                         refusal: refusal.map { IngestRefusal(.tooManyConnections, $0, fatal: true) })
            }
        }
        switch listener {
        case .unix(let path, let mode):
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            // One daemon per socket: the lock beside it is taken before the old socket file
            // is removed, so a second daemon fails here instead of taking the socket over.
            let lock = try LockFile.acquire(path: path + ".lock", guarding: "the socket \(path)",
                                            remedy: "give this one a socket path of its own (--socket, ingest.socket_path)")
            socketLocks.withLockedValue { $0.append(lock) }
            let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
            guard chmod(path, mode_t(mode)) == 0 else {
                throw IngestServerError.cannotSetSocketMode(path: path, errno: errno)
            }
            return channel
        case .tcp(let host, let port):
            return try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
        case .inherited(let descriptor, _):
            return try await bootstrap.bind(descriptor, childChannelInitializer: initializer)
        }
    }
}

public enum IngestServerError: Error, CustomStringConvertible {
    case cannotSetSocketMode(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .cannotSetSocketMode(let path, let e):
            return "cannot chmod the socket \(path): \(String(cString: strerror(e))); check the runtime directory's ownership"
        }
    }
}

/// An accepted connection, as the session receives it: the channel, who is at the other
/// end, its account with the receive-memory budget, and — when it is past a connection
/// limit — the refusal its session sends instead of serving it.
struct IngestConnection: Sendable {
    var channel: NIOAsyncChannel<IngestInbound, Infoplane_V1_ServerMessage>
    var peer: ConnectionPeer
    var memory: ConnectionMemoryAccount
    var refusal: IngestRefusal?
}

extension IngestServer {
    /// The peer's user id for a Unix socket (`SO_PEERCRED`), its address for TCP.
    static func identifyPeer(of channel: Channel) -> EventLoopFuture<ConnectionPeer> {
        switch channel.remoteAddress {
        case .v4(let a)?: return channel.eventLoop.makeSucceededFuture(.address(a.host))
        case .v6(let a)?: return channel.eventLoop.makeSucceededFuture(.address(a.host))
        case .unixDomainSocket?:
            guard let provider = channel as? SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(.unknown) }
            return provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
                .map { (credentials: PeerCredentials) in ConnectionPeer.user(uid: credentials.uid) }
                .recover { _ in .unknown }
        default: return channel.eventLoop.makeSucceededFuture(.unknown)
        }
    }
}

/// `struct ucred` of <sys/socket.h>, as `SO_PEERCRED` fills it.
struct PeerCredentials: Sendable {
    var pid: Int32
    var uid: UInt32
    var gid: UInt32
}

/// Hands out session identifiers, unique within the daemon's lifetime.
final class SessionIDGenerator: Sendable {
    private let box = NIOLockedValueBox<UInt64>(0)
    func next() -> UInt64 { box.withLockedValue { $0 += 1; return $0 } }
}
