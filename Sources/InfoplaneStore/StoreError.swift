import InfoplaneMonitor

/// Errors of the SQLite store, each saying what to do.
public enum StoreError: Error, Sendable, CustomStringConvertible, StoreErrorClassifying {
    case cannotOpen(path: String, underlying: String)
    /// A point or scalar carried NaN or ±Inf; the whole frame (or scalar record) was rejected.
    case nonFiniteValue(run: String, layer: String, metric: String, step: Int64)
    /// A write or read failed after the store was opened.
    case databaseFailure(operation: String, underlying: String)
    /// A write failed for want of space: SQLITE_FULL, or an I/O error on a filesystem with
    /// no space left.
    case diskFull(operation: String, underlying: String)
    /// A configuration value is out of its range.
    case invalidConfiguration(String)
    /// A stored value this build cannot read (written by a newer version).
    case unreadableValue(column: String, value: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let underlying):
            return "cannot open the store at \(path): \(underlying); check that the state directory exists and is writable by the daemon's user"
        case .nonFiniteValue(let run, let layer, let metric, let step):
            return "refused a non-finite value for \(metric) of run '\(run)' layer '\(layer)' at step \(step): nothing of that frame was written; drop non-finite estimates before storing them"
        case .databaseFailure(let operation, let underlying):
            return "store \(operation) failed: \(underlying); check free disk space and the file's permissions (the daemon retries its writes: no restart needed)"
        case .diskFull(let operation, let underlying):
            return "store \(operation) failed: the disk is full (\(underlying)); free space on the state directory's filesystem (the daemon retries its writes: no restart needed)"
        case .invalidConfiguration(let what):
            return "invalid store configuration: \(what); fix the [store] section of the configuration file"
        case .unreadableValue(let column, let value):
            return "the store holds '\(value)' in \(column), which this version cannot read; upgrade infoplane to the version that wrote it"
        }
    }

    // MARK: - StoreErrorClassifying

    public var storeFailureKind: StoreFailure.Kind? {
        switch self {
        case .diskFull: return .full
        case .databaseFailure, .cannotOpen: return .unavailable
        case .nonFiniteValue, .invalidConfiguration, .unreadableValue: return nil
        }
    }

    public var cause: String {
        switch self {
        case .diskFull(_, let underlying), .databaseFailure(_, let underlying), .cannotOpen(_, let underlying):
            return underlying
        default:
            return description
        }
    }
}
