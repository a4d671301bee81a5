import Foundation
import GRDB
import InfoplaneMonitor

/// The summary reads, each answered by SQL over the indexes (`StoreSchema`) instead of by
/// loading the rows it sums up.
extension SQLiteSeriesStore {
    public func runCount() async throws -> Int {
        try await reading("count of runs") { db in try Int.fetchOne(db, sql: Self.runCountSQL) ?? 0 }
    }

    public func alertCount(run: String?) async throws -> Int {
        try await reading("count of alerts") { db in try Self.alertCount(db, run: run) }
    }

    public func newestAlertID() async throws -> Int64? {
        try await reading("newest alert id") { db in try Int64.fetchOne(db, sql: Self.newestAlertIDSQL) }
    }

    public func runSummary(run: String) async throws -> RunSummary {
        try await reading("summary of run '\(run)'") { db in
            let series = try Row.fetchAll(db, sql: Self.seriesSummarySQL, arguments: [run]).map {
                try Self.seriesSummary($0, run: run)
            }
            let latestScalars = try Self.records(run: run, rows: Row.fetchAll(db, sql: Self.latestScalarsSQL, arguments: [run]))
            return RunSummary(series: series, latestScalars: latestScalars, alertCount: try Self.alertCount(db, run: run))
        }
    }

    // MARK: - Queries

    static let runCountSQL = "SELECT COUNT(*) FROM runs"

    /// The primary key's largest value: no scan.
    static let newestAlertIDSQL = "SELECT MAX(id) FROM alerts"

    static let alertCountSQL = "SELECT COUNT(*) FROM alerts"

    /// Over the index `alerts_run_id`.
    static let runAlertCountSQL = "SELECT COUNT(*) FROM alerts WHERE run_id = (SELECT id FROM runs WHERE name = ?)"

    /// Each series' extent from the index `points_series` (layer, metric, estimator, split,
    /// step) alone, then its first point's units and last point's value by one index lookup
    /// each.
    static let seriesSummarySQL = """
        WITH extent AS (
            SELECT layer_id, metric, estimator, split,
                   COUNT(*) AS point_count, MIN(step) AS first_step, MAX(step) AS last_step
            FROM points
            WHERE layer_id IN (SELECT l.id FROM layers l JOIN runs r ON r.id = l.run_id WHERE r.name = ?)
            GROUP BY layer_id, metric, estimator, split
        )
        SELECT l.name AS layer, e.metric, e.estimator, e.split, e.point_count, e.first_step, e.last_step,
               first.units, last.value AS last_value
        FROM extent e
        JOIN layers l ON l.id = e.layer_id
        JOIN points first ON first.layer_id = e.layer_id AND first.metric = e.metric AND first.estimator = e.estimator
                         AND first.split = e.split AND first.step = e.first_step
        JOIN points last ON last.layer_id = e.layer_id AND last.metric = e.metric AND last.estimator = e.estimator
                        AND last.split = e.split AND last.step = e.last_step
        ORDER BY l.name, e.metric, e.estimator, e.split
        """

    /// The scalars at each split's largest step: the largest steps from the index
    /// `scalars_identity` alone, then the rows at each by the index `scalars_run_step`
    /// (`CROSS JOIN` keeps that order: SQLite never reorders it).
    static let latestScalarsSQL = """
        WITH latest AS (
            SELECT run_id, split, MAX(step) AS step FROM scalars
            WHERE run_id = (SELECT id FROM runs WHERE name = ?)
            GROUP BY run_id, split
        )
        SELECT s.step, s.epoch, s.split, s.name, s.value
        FROM latest CROSS JOIN scalars s ON s.run_id = latest.run_id AND s.split = latest.split AND s.step = latest.step
        ORDER BY s.split, s.name
        """

    static func alertCount(_ db: Database, run: String?) throws -> Int {
        guard let run else { return try Int.fetchOne(db, sql: alertCountSQL) ?? 0 }
        return try Int.fetchOne(db, sql: runAlertCountSQL, arguments: [run]) ?? 0
    }

    static func seriesSummary(_ row: Row, run: String) throws(StoreError) -> SeriesSummary {
        let split: String = row["split"]
        let unitName: String = row["units"], estimator: String = row["estimator"]
        guard let unit = SeriesUnit(rawValue: unitName) else {
            throw .unreadableValue(column: "points.units", value: unitName)
        }
        let series = SeriesID(run: run, layer: row["layer"], split: ProbeSplit(rawValue: split) ?? .probe,
                              metric: Metric(rawValue: row["metric"]), estimator: .init(rawValue: estimator))
        return SeriesSummary(series: series, unit: unit, pointCount: row["point_count"], firstStep: row["first_step"],
                             lastStep: row["last_step"], lastValue: row["last_value"])
    }
}
