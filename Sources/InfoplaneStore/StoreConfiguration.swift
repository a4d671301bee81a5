import Foundation

/// Settings of the SQLite store (the `[store]` section of the daemon's configuration).
public struct StoreConfiguration: Sendable {
    public var durability: StoreDurability
    public var retention: RetentionPolicy
    /// How long a write waits for a lock held by another process (e.g. a CLI reading the
    /// file) before failing. Default 5 s.
    public var busyTimeoutSeconds: Double
    /// The wall clock used for `lastSeenAt`, `recorded_at` and retention. Tests inject one.
    public var clock: @Sendable () -> Date

    public init(durability: StoreDurability = .normal, retention: RetentionPolicy = RetentionPolicy(),
                busyTimeoutSeconds: Double = 5, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.durability = durability
        self.retention = retention
        self.busyTimeoutSeconds = busyTimeoutSeconds
        self.clock = clock
    }
}
