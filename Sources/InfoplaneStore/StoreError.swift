/// Errors of the SQLite store, each saying what to do.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, underlying: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let underlying):
            return "cannot open the store at \(path): \(underlying); check that the state directory exists and is writable by the daemon's user"
        }
    }
}
