/// Where the ingest server hands what it accepted.
///
/// The server acknowledges a message to its client only after the sink's method returned
/// without throwing, so an acknowledged snapshot is never lost. Implementations must be
/// quick (ingest waits on them): they may queue work but must not run estimators inline.
public protocol SnapshotSink: Sendable {
    /// A session said Hello for this run. Returns the run's stable identifier; a run that
    /// reconnects with the same name gets the same identifier.
    func runStarted(_ run: RunDescriptor) async throws -> String
    /// A validated snapshot (or chunk). Throws a `SnapshotRejection` to refuse it.
    func accept(_ snapshot: ProbeSnapshot) async throws
    /// Validated scalar metrics.
    func accept(_ scalars: ScalarRecord) async throws
    /// The session of this run ended (Goodbye, disconnect or timeout).
    func sessionEnded(run: String, clean: Bool) async
}

/// A sink's reason to refuse a snapshot that passed the server's per-message validation,
/// e.g. rows that do not align with the other layers of the same frame.
public struct SnapshotRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        /// Rows of the layers of one frame do not carry the same sample ids.
        case frameMisaligned
        /// The chunks of one layer disagree (count, columns or role) or repeat ids.
        case badChunk
        /// The frame would pass the layers-per-frame limit.
        case tooManyLayers
        /// The frames being assembled would pass their memory budget (per run or in total).
        case memoryBudgetExceeded
        /// Anything else the sink cannot take (for example it is shutting down).
        case unavailable
    }
    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}
