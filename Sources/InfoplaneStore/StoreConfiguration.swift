import Foundation

/// Settings of the SQLite store. Codable with snake_case keys so the daemon's `[store]`
/// TOML section maps onto it; every missing key takes its default:
///
/// ```toml
/// [store]
/// durability = "normal"          # or "full" (see StoreDurability)
/// busy_timeout_seconds = 5
/// [store.retention]
/// max_age_days = 90              # leave out max_steps_per_series for no step limit
/// ```
public struct StoreConfiguration: Sendable, Codable {
    public var durability: StoreDurability
    public var retention: RetentionPolicy
    /// How long a write waits for a lock held by another process (e.g. a CLI reading the
    /// file) before failing. Default 5 s.
    public var busyTimeoutSeconds: Double
    /// The wall clock used for `lastSeenAt`, `recorded_at` and retention. Tests inject one;
    /// not part of the configuration file.
    public var clock: @Sendable () -> Date

    public init(durability: StoreDurability = .normal, retention: RetentionPolicy = RetentionPolicy(),
                busyTimeoutSeconds: Double = 5, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.durability = durability
        self.retention = retention
        self.busyTimeoutSeconds = busyTimeoutSeconds
        self.clock = clock
    }

    enum CodingKeys: String, CodingKey {
        case durability
        case retention
        case busyTimeoutSeconds = "busy_timeout_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(durability: try c.decodeIfPresent(StoreDurability.self, forKey: .durability) ?? .normal,
                  retention: try c.decodeIfPresent(RetentionPolicy.self, forKey: .retention) ?? RetentionPolicy(),
                  busyTimeoutSeconds: try c.decodeIfPresent(Double.self, forKey: .busyTimeoutSeconds) ?? 5)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(durability, forKey: .durability)
        try c.encode(retention, forKey: .retention)
        try c.encode(busyTimeoutSeconds, forKey: .busyTimeoutSeconds)
    }

    /// Throws at the first value out of its range.
    public func validate() throws(StoreError) {
        try retention.validate()
        if !(busyTimeoutSeconds >= 0) {
            throw .invalidConfiguration("busy_timeout_seconds must be >= 0 (got \(busyTimeoutSeconds))")
        }
    }
}
