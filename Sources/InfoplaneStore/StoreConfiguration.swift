import Foundation

/// Settings of the SQLite store. Codable with snake_case keys so the daemon's `[store]`
/// TOML section maps onto it; every missing key takes its default:
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
    public var busyTimeoutSeconds: Double
    /// Points of acknowledged frames the monitor keeps in memory (about 150 bytes each)
    /// while the store cannot write them (disk full), to write them when it can again;
    /// beyond it the oldest frames' points are given up and counted as lost. 0 gives them
    /// up at once. Default 100,000.
    public var retryQueuePoints: Int
    /// The wall clock used for `lastSeenAt`, `recorded_at` and retention. Tests inject one;
    /// not part of the configuration file.
    public var clock: @Sendable () -> Date

    public init(durability: StoreDurability = .normal, retention: RetentionPolicy = RetentionPolicy(),
                busyTimeoutSeconds: Double = 5, retryQueuePoints: Int = 100_000,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.durability = durability
        self.retention = retention
        self.busyTimeoutSeconds = busyTimeoutSeconds
        self.retryQueuePoints = retryQueuePoints
        self.clock = clock
    }

    enum CodingKeys: String, CodingKey {
        case durability
        case retention
        case busyTimeoutSeconds = "busy_timeout_seconds"
        case retryQueuePoints = "retry_queue_points"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(durability: try c.decodeIfPresent(StoreDurability.self, forKey: .durability) ?? .normal,
                  retention: try c.decodeIfPresent(RetentionPolicy.self, forKey: .retention) ?? RetentionPolicy(),
                  busyTimeoutSeconds: try c.decodeIfPresent(Double.self, forKey: .busyTimeoutSeconds) ?? 5,
                  retryQueuePoints: try c.decodeIfPresent(Int.self, forKey: .retryQueuePoints) ?? 100_000)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(durability, forKey: .durability)
        try c.encode(retention, forKey: .retention)
        try c.encode(busyTimeoutSeconds, forKey: .busyTimeoutSeconds)
        try c.encode(retryQueuePoints, forKey: .retryQueuePoints)
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
