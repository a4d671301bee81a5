import Foundation

/// What `SQLiteSeriesStore.pruneExpired()` deletes.
///
/// The unit of retention is the *time a value was written* (wall clock of the daemon):
/// points and scalars written more than `maxAgeDays` ago are deleted. Runs, layers and
/// alerts are kept (they are small, and alerts are the audit trail). Age was chosen over
/// "the last N steps" as the default because it bounds the disk by time × ingest rate and
/// keeps a run's whole information plane (including its early fitting phase) for as long
/// as the run is recent; `maxStepsPerSeries` is available for very long runs that must be
/// bounded by size, and keeps the most recent steps of every series.
///
/// Either limit may be nil (no limit of that kind); both apply when both are set.
public struct RetentionPolicy: Sendable, Equatable, Codable {
    /// Delete points and scalars written more than this many days ago. Default 90; nil keeps them.
    public var maxAgeDays: Double?
    /// Keep only the last N steps of every series (run, layer, metric, estimator, split)
    /// and of every scalar (run, split, name). Default nil (unbounded).
    public var maxStepsPerSeries: Int?
    /// How often the daemon applies the policy (`pruneExpired()`), in seconds; it also does
    /// so once when it starts. Default 3600.
    public var pruneIntervalSeconds: Double

    public static let defaultMaxAgeDays: Double = 90
    public static let defaultPruneIntervalSeconds: Double = 3600

    public init(maxAgeDays: Double? = RetentionPolicy.defaultMaxAgeDays, maxStepsPerSeries: Int? = nil,
                pruneIntervalSeconds: Double = RetentionPolicy.defaultPruneIntervalSeconds) {
        self.maxAgeDays = maxAgeDays
        self.maxStepsPerSeries = maxStepsPerSeries
        self.pruneIntervalSeconds = pruneIntervalSeconds
    }

    /// Keeps everything.
    public static let keepEverything = RetentionPolicy(maxAgeDays: nil, maxStepsPerSeries: nil)

    /// Throws when a limit is not positive.
    public func validate() throws(StoreError) {
        if let days = maxAgeDays, !(days > 0) {
            throw .invalidConfiguration("max_age_days must be > 0 (got \(days)); leave it out to keep points forever")
        }
        if let steps = maxStepsPerSeries, steps < 1 {
            throw .invalidConfiguration("max_steps_per_series must be >= 1 (got \(steps)); leave it out for no limit")
        }
        if !(pruneIntervalSeconds >= 1) {
            throw .invalidConfiguration("prune_interval_seconds must be >= 1 (got \(pruneIntervalSeconds))")
        }
    }
}

/// What one `pruneExpired()` call deleted.
public struct PruneReport: Sendable, Equatable {
    public var pointsDeleted: Int
    public var scalarsDeleted: Int
}
