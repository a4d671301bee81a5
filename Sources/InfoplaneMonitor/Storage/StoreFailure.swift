import Foundation

/// A store write that failed, as the monitor reports it: thrown to the ingest server for a
/// message it could not keep (the server answers `ERROR_CODE_STORE_FULL` for `.full` and
/// `ERROR_CODE_STORE_UNAVAILABLE` for `.unavailable`), and shown by `/healthz` until a
/// write succeeds again.
public struct StoreFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// No space left on the store's filesystem (SQLITE_FULL, ENOSPC).
        case full
        /// Any other write failure (permissions, I/O error, a lock held too long).
        case unavailable
    }

    public var kind: Kind
    /// What could not be stored ("the scalars of run 'r' at step 7").
    public var operation: String
    /// The store's reason, in a few words ("database or disk is full").
    public var cause: String

    /// For the client and the log: what happened, that nothing is to be fixed on the
    /// client, and that the daemon recovers without a restart.
    public var description: String {
        switch kind {
        case .full:
            return "the daemon's disk is full: \(operation) could not be stored (\(cause)); not accepted, retry later. Nothing to fix on the client and no restart needed: the daemon stores again as soon as space is freed on its state directory's filesystem"
        case .unavailable:
            return "the daemon's store could not write: \(operation) was not stored (\(cause)); not accepted, retry later. No restart needed: the daemon retries its writes and recovers once the cause is fixed (check the state directory's permissions and the disk)"
        }
    }
}

/// Implemented by a store's errors so that the monitor can tell a full disk from other
/// write failures, and both from errors that are not the store's fault.
public protocol StoreErrorClassifying: Error {
    /// `.full` when the disk is full, `.unavailable` for other write failures, nil when the
    /// error is not a failure to write (for example a value the store refuses).
    var storeFailureKind: StoreFailure.Kind? { get }
    /// The failure in a few words, without advice.
    var cause: String { get }
}

extension StoreFailure {
    /// Classifies what a store threw; nil when the error is not the store failing to write
    /// (a value it refuses, for example), which callers pass on unchanged.
    public init?(_ error: any Error, operation: String) {
        if let failure = error as? StoreFailure {
            self = failure
            return
        }
        if let classified = error as? any StoreErrorClassifying {
            guard let kind = classified.storeFailureKind else { return nil }
            self.init(kind: kind, operation: operation, cause: classified.cause)
        } else {
            self.init(kind: .unavailable, operation: operation, cause: "\(error)")
        }
    }
}
