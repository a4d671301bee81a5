/// Settings of the ingest server (the `[ingest]` table of infoplaned.toml).
public struct IngestConfiguration: Sendable, Equatable {
    /// Unix stream socket path; nil: no Unix socket.
    public var socketPath: String? = "/run/infoplane/infoplane.sock"
    /// Permission bits applied to the Unix socket file after binding.
    public var socketMode: UInt16 = 0o660
    /// TCP listen address; nil (the default): no TCP listener. The Unix socket's file
    /// permissions decide who may send; a TCP port on loopback is open to every local user,
    /// so TCP ingest is off until configured (and, until tokens exist, trusts every peer).
    public var tcpHost: String? = nil
    public var tcpPort: Int = 7411
    /// Largest message accepted, in bytes (length prefix excluded).
    public var maxMessageBytes: Int = 64 << 20
    /// Send credits granted to each session.
    public var credits: Int = 16
    /// How often clients are asked to send something when otherwise idle.
    public var heartbeatIntervalMilliseconds: Int = 5_000
    /// A session silent for this long is closed.
    public var idleTimeoutMilliseconds: Int = 30_000
    /// Bytes of frames still arriving, all connections together (see `ReceiveMemoryBudget`).
    public var maxReceivingBytes: Int = 1 << 30
    /// Bytes of frames still arriving on the connections of one run.
    public var maxReceivingBytesPerRun: Int = 256 << 20
    /// Open connections, in total.
    public var maxConnections: Int = 1024
    /// Open connections of one peer (a Unix-socket user id, or a TCP address).
    public var maxConnectionsPerPeer: Int = 128
    /// Bytes of a run's Hello metadata (keys and values), stored and served with the run.
    public var maxMetadataBytes: Int = 64 << 10
    /// A frame in progress must arrive at least this fast on average (bytes per second),
    /// judged once it has been in progress for `slowSenderGraceMilliseconds`; 0: no minimum.
    public var minimumFrameBytesPerSecond: Int = 64 << 10
    public var slowSenderGraceMilliseconds: Int = 10_000

    public init() {}
}
