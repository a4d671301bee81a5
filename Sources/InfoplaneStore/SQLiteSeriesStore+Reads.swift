import Foundation
import GRDB
import InfoplaneMonitor

extension SQLiteSeriesStore {
    public func runs() async throws -> [RunRecord] {
        try await reading("listing of runs") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY created_at, name").map(Self.runRecord)
        }
    }

    public func run(named name: String) async throws -> RunRecord? {
        try await reading("lookup of run '\(name)'") { db in try Self.fetchRun(db, named: name) }
    }

    /// Points matching the query (steps >= `sinceStep`), ordered by (layer, metric, estimator, split, step).
    public func series(_ query: SeriesQuery) async throws -> [SeriesPoint] {
        var sql = """
            SELECT r.name AS run, l.name AS layer, p.* FROM points p
            JOIN layers l ON l.id = p.layer_id
            JOIN runs r ON r.id = l.run_id
            WHERE r.name = ?
            """
        var arguments: StatementArguments = [query.run]
        if let layer = query.layer { sql += " AND l.name = ?"; arguments += [layer] }
        if let metric = query.metric { sql += " AND p.metric = ?"; arguments += [metric.rawValue] }
        if let estimator = query.estimator { sql += " AND p.estimator = ?"; arguments += [estimator.rawValue] }
        if let split = query.split { sql += " AND p.split = ?"; arguments += [split.rawValue] }
        if let since = query.sinceStep { sql += " AND p.step >= ?"; arguments += [since] }
        sql += " ORDER BY l.name, p.metric, p.estimator, p.split, p.step"
        let finalSQL = sql
        let finalArguments = arguments
        return try await reading("series query for run '\(query.run)'") { db in
            try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments).map { try Self.point($0) }
        }
    }

    /// Scalars of a run (steps >= `sinceStep`), one record per (step, split), ordered by step then split.
    public func scalars(run: String, sinceStep: Int64?) async throws -> [ScalarRecord] {
        try await reading("scalars query for run '\(run)'") { db in
            guard let runID = try String.fetchOne(db, sql: "SELECT id FROM runs WHERE name = ?", arguments: [run]) else {
                return []
            }
            let rows = try Row.fetchAll(db, sql: """
                SELECT step, epoch, split, name, value FROM scalars
                WHERE run_id = ? AND step >= ? ORDER BY step, split, name
                """, arguments: [runID, sinceStep ?? Int64.min])
            return Self.records(run: run, rows: rows)
        }
    }

    /// Alerts with an id greater than `afterID`, optionally of one run, ordered by id.
    public func alerts(run: String?, afterID: Int64?) async throws -> [AlertRecord] {
        try await reading("alerts query") { db in
            var sql = "SELECT a.*, r.name AS run FROM alerts a JOIN runs r ON r.id = a.run_id WHERE a.id > ?"
            var arguments: StatementArguments = [afterID ?? 0]
            if let run {
                sql += " AND r.name = ?"
                arguments += [run]
            }
            sql += " ORDER BY a.id"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.alertRecord)
        }
    }

    // MARK: - Row decoding

    static func fetchRun(_ db: Database, named name: String) throws -> RunRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE name = ?", arguments: [name]).map(runRecord)
    }

    static func runRecord(_ row: Row) -> RunRecord {
        let metadata = (try? decodeMetadata(row["metadata_json"])) ?? [:]
        return RunRecord(id: row["id"], name: row["name"], clientName: row["client_name"], metadata: metadata,
                         createdAt: Date(timeIntervalSince1970: row["created_at"]),
                         lastSeenAt: Date(timeIntervalSince1970: row["last_seen_at"]))
    }

    /// A `[String: String]` object written by `encodeMetadata`.
    static func decodeMetadata(_ json: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
    }

    /// Scalar rows (step, epoch, split, name, value), ordered so that the rows of one
    /// (step, split) are adjacent, as one record per (step, split).
    static func records(run: String, rows: [Row]) -> [ScalarRecord] {
        var records: [ScalarRecord] = []
        for row in rows {
            let step: Int64 = row["step"]
            let splitName: String = row["split"]
            let split = ProbeSplit(rawValue: splitName) ?? .train
            if let last = records.last, last.step == step, last.split == split {
                records[records.count - 1].values[row["name"]] = row["value"]
            } else {
                records.append(ScalarRecord(run: run, step: step, epoch: row["epoch"], split: split,
                                            values: [row["name"]: row["value"]]))
            }
        }
        return records
    }

    static func point(_ row: Row) throws(StoreError) -> SeriesPoint {
        let split: String = row["split"]
        let unitName: String = row["units"], estimator: String = row["estimator"]
        guard let unit = SeriesUnit(rawValue: unitName) else {
            throw .unreadableValue(column: "points.units", value: unitName)
        }
        let series = SeriesID(run: row["run"], layer: row["layer"], split: ProbeSplit(rawValue: split) ?? .probe,
                              metric: Metric(rawValue: row["metric"]), estimator: .init(rawValue: estimator))
        return SeriesPoint(series: series, step: row["step"], value: row["value"], unit: unit,
                           sampleCount: row["n"], dimension: row["d"], seconds: row["seconds"],
                           flags: SeriesPointFlags(rawValue: row["flags"]))
    }

    static func alertRecord(_ row: Row) -> AlertRecord {
        let kind: String = row["kind"]
        let severity: String = row["severity"]
        return AlertRecord(id: row["id"], run: row["run"], layer: row["layer"],
                           kind: AlertKind(rawValue: kind) ?? .clientStalled,
                           severity: AlertSeverity(rawValue: severity) ?? .warning,
                           step: row["step"], message: row["message"], evidenceJSON: row["evidence_json"],
                           time: Date(timeIntervalSince1970: row["time"]))
    }
}
