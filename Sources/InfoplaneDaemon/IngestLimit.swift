import InfoplaneServer

/// An integer of the `[ingest]` table: its key, range, default and meaning, in one place
/// for the file, the flags, `--check-config` and the documentation.
public struct IngestLimit: Sendable {
    public var key: String
    public var field: WritableKeyPath<IngestConfiguration, Int> & Sendable
    public var range: ClosedRange<Int>
    public var meaning: String
    public var defaultValue: Int { IngestConfiguration()[keyPath: field] }

    public static let all: [IngestLimit] = [
        .init(key: "ingest.max_message_bytes", field: \.maxMessageBytes, range: 1024...(1 << 31),
              meaning: "largest message accepted, bytes; also a connection's budget for a frame being received"),
        .init(key: "ingest.credits", field: \.credits, range: 1...4096, meaning: "send credits per session"),
        .init(key: "ingest.heartbeat_interval_ms", field: \.heartbeatIntervalMilliseconds, range: 100...3_600_000,
              meaning: "heartbeat interval asked of clients, ms"),
        .init(key: "ingest.idle_timeout_ms", field: \.idleTimeoutMilliseconds, range: 100...86_400_000,
              meaning: "a silent session is closed after this, ms"),
        .init(key: "ingest.max_receiving_bytes", field: \.maxReceivingBytes, range: 1024...(1 << 40),
              meaning: "bytes of frames still arriving, all connections together; past it the newest frame is refused (MEMORY_BUDGET_EXCEEDED)"),
        .init(key: "ingest.max_receiving_bytes_per_run", field: \.maxReceivingBytesPerRun, range: 1024...(1 << 40),
              meaning: "bytes of frames still arriving on the connections of one run (MEMORY_BUDGET_EXCEEDED)"),
        .init(key: "ingest.max_connections", field: \.maxConnections, range: 1...1_000_000,
              meaning: "open ingest connections in total; more are refused (TOO_MANY_CONNECTIONS)"),
        .init(key: "ingest.max_connections_per_peer", field: \.maxConnectionsPerPeer, range: 1...1_000_000,
              meaning: "open connections of one peer: a Unix-socket user id or a TCP address (TOO_MANY_CONNECTIONS)"),
        .init(key: "ingest.max_metadata_bytes", field: \.maxMetadataBytes, range: 0...(16 << 20),
              meaning: "bytes of a run's Hello metadata, keys and values (METADATA_TOO_LARGE)"),
        .init(key: "ingest.min_frame_bytes_per_second", field: \.minimumFrameBytesPerSecond, range: 0...(1 << 30),
              meaning: "a frame in progress must arrive at least this fast on average; 0: no minimum (SENDER_TOO_SLOW)"),
        .init(key: "ingest.slow_sender_grace_ms", field: \.slowSenderGraceMilliseconds, range: 100...3_600_000,
              meaning: "how long a frame may be in progress before its rate is judged, ms"),
    ]

    public static func named(_ key: String) -> IngestLimit? { all.first { $0.key == key } }
}
