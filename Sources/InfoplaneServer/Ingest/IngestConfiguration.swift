/// Settings of the ingest server (the `[ingest]` table of infoplaned.toml).
public struct IngestConfiguration: Sendable, Equatable {
    /// Unix stream socket path; nil: no Unix socket.
    public var socketPath: String? = "/run/infoplane/infoplane.sock"
    /// Permission bits applied to the Unix socket file after binding.
    public var socketMode: UInt16 = 0o660
    /// TCP listen address; nil: no TCP listener. Loopback unless configured otherwise.
    public var tcpHost: String? = "127.0.0.1"
    public var tcpPort: Int = 7411
    /// Largest message accepted, in bytes (length prefix excluded).
    public var maxMessageBytes: Int = 64 << 20
    /// Send credits granted to each session.
    public var credits: Int = 16
    /// How often clients are asked to send something when otherwise idle.
    public var heartbeatIntervalMilliseconds: Int = 5_000
    /// A session silent for this long is closed.
    public var idleTimeoutMilliseconds: Int = 30_000

    public init() {}
}
