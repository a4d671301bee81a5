import Foundation

/// Settings of the SQLite store. The daemon's `[store]` TOML section maps onto it
/// (`ConfigurationCoding`: snake_case keys, every missing key takes its default):
///
/// ```toml
/// [store]
/// durability = "normal"          # or "full" (see StoreDurability)
/// busy_timeout_seconds = 5
/// retry_queue_points = 100000    # points of acknowledged frames kept for a retry while writes fail
/// [store.retention]
/// max_age_days = 90              # leave out max_steps_per_series for no step limit
/// ```
public struct StoreConfiguration: Sendable, Codable {
    public var durability: StoreDurability
    public var retention: RetentionPolicy
    /// How long a write waits for a lock held by another process (e.g. a CLI reading the
    /// file) before failing. Default 5 s.
    public var busyTimeoutSeconds = 5.0
    /// Points of acknowledged frames the monitor keeps in memory (about 150 bytes each)
    /// while the store cannot write them (disk full), to write them when it can again;
    /// beyond it the oldest frames' points are given up and counted as lost. 0 gives them
    /// up at once. Default 100,000.
    public var retryQueuePoints = 100_000
    /// The wall clock used for `lastSeenAt`, `recorded_at` and retention. Tests inject one;
    /// not part of the configuration file.
    public var clock: @Sendable () -> Date = { Date() }

    public init(durability: StoreDurability = .normal, retention: RetentionPolicy = RetentionPolicy(),
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.durability = durability
        self.retention = retention
        self.clock = clock
    }

    /// The file's keys: every property but `clock`.
    enum CodingKeys: CodingKey {
        case durability, retention, busyTimeoutSeconds, retryQueuePoints
    }

    /// Throws at the first value out of its range.
    public func validate() throws(StoreError) {
        try retention.validate()
        if !(busyTimeoutSeconds >= 0) {
            throw .invalidConfiguration("busy_timeout_seconds must be >= 0 (got \(busyTimeoutSeconds))")
        }
        if !(0...10_000_000).contains(retryQueuePoints) {
            throw .invalidConfiguration("retry_queue_points must be in 0...10000000 (got \(retryQueuePoints))")
        }
    }
}
