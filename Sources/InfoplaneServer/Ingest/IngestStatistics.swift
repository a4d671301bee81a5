import InfoplaneMonitor
import InfoplaneProtocol
import NIOConcurrencyHelpers

/// Live ingest figures, shared by every session (for systemd STATUS= and /metrics).
public final class IngestStatistics: Sendable {
    private let box = NIOLockedValueBox(IngestFigures())

    public init() {}

    public var values: IngestFigures { box.withLockedValue { $0 } }

    func update(_ body: (inout IngestFigures) -> Void) {
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
