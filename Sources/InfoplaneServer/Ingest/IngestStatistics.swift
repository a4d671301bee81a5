import NIOConcurrencyHelpers

/// Live ingest figures, shared by every session (for systemd STATUS= and /metrics).
public final class IngestStatistics: Sendable {
    public struct Values: Sendable, Equatable {
        public var openConnections = 0
        public var totalConnections = 0
        /// Snapshot messages accepted (acknowledged).
        public var snapshotsAccepted = 0
        public var scalarsAccepted = 0
        /// Payload bytes of accepted snapshot messages.
        public var bytesAccepted = 0
        /// Error messages sent, any code.
        public var errorsSent = 0
    }

    private let box = NIOLockedValueBox(Values())

    public init() {}

    public var values: Values { box.withLockedValue { $0 } }

    func update(_ body: (inout Values) -> Void) {
        box.withLockedValue { body(&$0) }
    }
}
