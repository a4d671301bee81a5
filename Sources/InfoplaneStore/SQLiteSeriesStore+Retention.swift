import Foundation
import GRDB

extension SQLiteSeriesStore {
    /// Deletes the points and scalars the retention policy no longer keeps (see
    /// `RetentionPolicy`), in one transaction, and says how many went. Runs, layers and
    /// alerts are kept. Call it periodically (the daemon: hourly) — it is cheap when there
    /// is nothing to delete, thanks to the `recorded_at` indexes.
    @discardableResult
    public func pruneExpired() async throws -> PruneReport {
        let policy = configuration.retention
        let now = configuration.clock().timeIntervalSince1970
        return try await writing("retention pruning") { db in
            var points = 0
            var scalars = 0
            if let days = policy.maxAgeDays {
                let cutoff = now - days * 86_400
                try db.execute(sql: "DELETE FROM points WHERE recorded_at < ?", arguments: [cutoff])
                points += db.changesCount
                try db.execute(sql: "DELETE FROM scalars WHERE recorded_at < ?", arguments: [cutoff])
                scalars += db.changesCount
            }
            if let keep = policy.maxStepsPerSeries {
                try db.execute(sql: """
                    DELETE FROM points WHERE id IN (
                        SELECT id FROM (
                            SELECT id, row_number() OVER (
                                PARTITION BY layer_id, metric, estimator, split ORDER BY step DESC) AS rank
                            FROM points)
                        WHERE rank > ?)
                    """, arguments: [keep])
                points += db.changesCount
                try db.execute(sql: """
                    DELETE FROM scalars WHERE id IN (
                        SELECT id FROM (
                            SELECT id, row_number() OVER (
                                PARTITION BY run_id, split, name ORDER BY step DESC) AS rank
                            FROM scalars)
                        WHERE rank > ?)
                    """, arguments: [keep])
                scalars += db.changesCount
            }
            return PruneReport(pointsDeleted: points, scalarsDeleted: scalars)
        }
    }
}
