/// How hard a commit tries to reach the disk (SQLite's `PRAGMA synchronous` in WAL mode).
///
/// - `normal` (the default): a commit appends its pages to the `-wal` file with `write(2)`
///   before it returns, and fsyncs only at checkpoints. A committed transaction is then in
///   the kernel's page cache, which outlives the process: **every committed point survives
///   `kill -9` of the daemon**, and the database never corrupts. Only an operating-system
///   crash or a power loss can lose the last commits (never corrupt the file). This is what
///   SQLite recommends for WAL mode, and it keeps a frame's commit well under a millisecond.
/// - `full`: additionally fsyncs the WAL at every commit, so commits also survive power
///   loss, at the price of one fsync (milliseconds on a disk) per frame.
public enum StoreDurability: String, Sendable, Codable, CaseIterable {
    case normal
    case full
}
