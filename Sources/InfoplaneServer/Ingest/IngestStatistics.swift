import InfoplaneProtocol
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
        /// Error messages sent, by code (the .proto name without ERROR_CODE_).
        public var errorsByCode: [String: Int] = [:]
    }

    private let box = NIOLockedValueBox(Values())

    public init() {}

    public var values: Values { box.withLockedValue { $0 } }

    func update(_ body: (inout Values) -> Void) {
        box.withLockedValue { body(&$0) }
    }

    /// Counts an Error sent to a client.
    func countRefusal(_ code: Infoplane_V1_ErrorCode) {
        box.withLockedValue {
            $0.errorsSent += 1
            $0.errorsByCode[code.logName, default: 0] += 1
        }
    }
}
