/// The ingest server's figures, cumulative since the daemon started: counted by the ingest
/// sessions (InfoplaneServer's `IngestStatistics`), reported by the HTTP side (`/healthz`,
/// `/metrics`) and systemd's status line.
public struct IngestFigures: Sendable, Equatable {
    public var openConnections: Int
    public var totalConnections: Int
    /// Snapshot messages accepted (acknowledged).
    public var snapshotsAccepted: Int
    public var scalarsAccepted: Int
    /// Payload bytes of accepted snapshot messages.
    public var bytesAccepted: Int
    /// Error messages sent, any code.
    public var errorsSent: Int
    /// Error messages sent, by code (the .proto name without ERROR_CODE_).
    public var errorsByCode: [String: Int]

    public init(openConnections: Int = 0, totalConnections: Int = 0, snapshotsAccepted: Int = 0, scalarsAccepted: Int = 0,
                bytesAccepted: Int = 0, errorsSent: Int = 0, errorsByCode: [String: Int] = [:]) {
        self.openConnections = openConnections; self.totalConnections = totalConnections
        self.snapshotsAccepted = snapshotsAccepted; self.scalarsAccepted = scalarsAccepted
        self.bytesAccepted = bytesAccepted; self.errorsSent = errorsSent; self.errorsByCode = errorsByCode
    }
}
