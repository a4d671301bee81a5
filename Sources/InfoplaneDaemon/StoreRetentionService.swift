import InfoplaneStore
import Logging
import ServiceLifecycle

/// Applies the store's retention policy (`[store.retention]`) under ServiceLifecycle: once
/// at start, then every `prune_interval_seconds`, until graceful shutdown. Each pass that
/// deletes something is logged with its counts; a failed pass is logged and retried at the
/// next interval (the store stays usable: pruning is one transaction).
struct StoreRetentionService: Service {
    let store: SQLiteSeriesStore
    let policy: RetentionPolicy
    let logger: Logger

    func run() async throws {
        guard policy.maxAgeDays != nil || policy.maxStepsPerSeries != nil else {
            logger.info("retention: keeping every point (no max_age_days or max_steps_per_series)")
            return
        }
        let interval = Duration.milliseconds(Int64(policy.pruneIntervalSeconds * 1000))
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let report = try await store.pruneExpired()
                    if report.pointsDeleted > 0 || report.scalarsDeleted > 0 {
                        logger.info("retention pruned the store", metadata: [
                            "points_deleted": "\(report.pointsDeleted)", "scalars_deleted": "\(report.scalarsDeleted)",
                            "max_age_days": "\(policy.maxAgeDays.map { "\($0)" } ?? "none")",
                            "max_steps_per_series": "\(policy.maxStepsPerSeries.map { "\($0)" } ?? "none")",
                        ])
                    }
                } catch {
                    logger.error("retention pass failed; retrying at the next interval", metadata: [
                        "error": "\(error)", "interval_seconds": "\(policy.pruneIntervalSeconds)",
                    ])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
