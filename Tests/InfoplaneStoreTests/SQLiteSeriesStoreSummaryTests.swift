import Foundation
import GRDB
import InfoplaneMonitor
@testable import InfoplaneStore
import Testing

/// The summary reads (run count, run summary, alert count, newest alert id) on a real
/// SQLite file: the same answers as summing up the whole-table reads, from index lookups.
@Suite struct SQLiteSeriesStoreSummaryTests {
    /// The store's whole-table reads only: its summaries are `SeriesStore`'s defaults,
    /// which sum up what those reads load.
    struct WholeTableReads: SeriesStore {
        let base: SQLiteSeriesStore
        func upsertRun(_ run: RunDescriptor) async throws -> RunRecord { try await base.upsertRun(run) }
        func appendFrame(_ points: [SeriesPoint]) async throws { try await base.appendFrame(points) }
        func appendScalars(_ scalars: ScalarRecord) async throws { try await base.appendScalars(scalars) }
        func appendAlert(_ alert: AlertRecord) async throws -> AlertRecord { try await base.appendAlert(alert) }
        func runs() async throws -> [RunRecord] { try await base.runs() }
        func run(named name: String) async throws -> RunRecord? { try await base.run(named: name) }
        func series(_ query: SeriesQuery) async throws -> [SeriesPoint] { try await base.series(query) }
        func scalars(run: String, sinceStep: Int64?) async throws -> [ScalarRecord] {
            try await base.scalars(run: run, sinceStep: sinceStep)
        }
        func alerts(run: String?, afterID: Int64?) async throws -> [AlertRecord] {
            try await base.alerts(run: run, afterID: afterID)
        }
    }

    func alert(run: String, step: Int64) -> AlertRecord {
        AlertRecord(run: run, layer: "L1", kind: .compressionOnset, severity: .info, step: step, message: "m",
                    evidenceJSON: "{}")
    }

    /// Two runs: run-a with frames at steps 0, 10, 20 (step 20 written first), a series
    /// whose units change, scalars on two splits and three alerts; run-b with one frame.
    func filledStore(_ directory: TemporaryDirectory) async throws -> SQLiteSeriesStore {
        let store = try SQLiteSeriesStore(path: directory.databasePath)
        for step: Int64 in [20, 0, 10] { try await store.appendFrame(frame(step: step)) }
        var nats = point(layer: "L1", estimator: .ksg1, step: 30, value: 2.5)
        nats.unit = .nats
        try await store.appendFrame([point(layer: "L1", estimator: .ksg1, step: 5, value: 1.5), nats])
        try await store.appendFrame(frame(run: "run-b", step: 7, layers: ["only"]))
        for step: Int64 in [0, 10, 20] {
            try await store.appendScalars(ScalarRecord(run: "run-a", step: step, epoch: step / 10, split: .train,
                                                       values: ["loss": 1 / Double(step + 1), "accuracy": 0.5]))
        }
        try await store.appendScalars(ScalarRecord(run: "run-a", step: 10, epoch: 1, split: .validation, values: ["loss": 0.7]))
        for (run, step) in [("run-a", 10), ("run-b", 7), ("run-a", 20)] { _ = try await store.appendAlert(alert(run: run, step: Int64(step))) }
        return store
    }

    @Test func emptyStore() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteSeriesStore(path: directory.databasePath)
        #expect(try await store.runCount() == 0)
        #expect(try await store.alertCount(run: nil) == 0)
        #expect(try await store.alertCount(run: "nope") == 0)
        #expect(try await store.newestAlertID() == nil)
        let summary = try await store.runSummary(run: "nope")
        #expect(summary == RunSummary())
        #expect(summary.lastStep == nil)
    }

    @Test func summariesMatchTheWholeTableReads() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await filledStore(directory)
        let whole = WholeTableReads(base: store)
        #expect(try await store.runCount() == 2)
        #expect(try await store.runCount() == whole.runCount())
        #expect(try await store.alertCount(run: nil) == 3)
        #expect(try await store.alertCount(run: "run-a") == 2)
        #expect(try await store.alertCount(run: "run-b") == whole.alertCount(run: "run-b"))
        #expect(try await store.newestAlertID() == whole.newestAlertID())
        for run in ["run-a", "run-b", "nope"] {
            #expect(try await store.runSummary(run: run) == whole.runSummary(run: run), "\(run)")
        }

        let summary = try await store.runSummary(run: "run-a")
        #expect(summary.series.count == 3 * 2 + 1)
        #expect(summary.alertCount == 2)
        #expect(summary.lastStep == 30)
        let l1 = try #require(summary.series.first {
            $0.series.layer == "L1" && $0.series.metric == .inputInformation && $0.series.estimator == .binning
        })
        #expect(l1.pointCount == 3 && l1.firstStep == 0 && l1.lastStep == 20 && l1.lastValue == 20)
        let ksg = try #require(summary.series.first { $0.series.estimator == .ksg1 })
        #expect(ksg.unit == .bits && ksg.firstStep == 5 && ksg.lastStep == 30 && ksg.lastValue == 2.5, "units of the first point")
        #expect(summary.latestScalars.map(\.split) == [.train, .validation])
        #expect(summary.latestScalars.map(\.step) == [20, 10])
        #expect(summary.latestScalars[0].values == ["loss": 1.0 / 21, "accuracy": 0.5] && summary.latestScalars[0].epoch == 2)
    }

    /// Every query reads its tables through an index: a line `SCAN <table>` of the plan
    /// without an index would read every row.
    @Test func summaryQueriesUseIndexes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await filledStore(directory)
        let queries: [(String, StatementArguments)] = [
            (SQLiteSeriesStore.runCountSQL, []), (SQLiteSeriesStore.newestAlertIDSQL, []),
            (SQLiteSeriesStore.alertCountSQL, []), (SQLiteSeriesStore.runAlertCountSQL, ["run-a"]),
            (SQLiteSeriesStore.seriesSummarySQL, ["run-a"]), (SQLiteSeriesStore.latestScalarsSQL, ["run-a"]),
        ]
        let tables = ["runs", "layers", "points", "scalars", "alerts", "first", "last", "s", "l", "r"]
        for (sql, arguments) in queries {
            let lines = try await store.writer.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
            }
            let tableScans = lines.filter { line in
                tables.contains { line.hasPrefix("SCAN \($0)") && (line == "SCAN \($0)" || line.hasPrefix("SCAN \($0) ")) }
                    && !line.contains("INDEX")
            }
            #expect(tableScans.isEmpty, "\(sql)\n\(lines.joined(separator: "\n"))")
        }
        func plan(_ sql: String) async throws -> [String] {
            try await store.writer.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: ["run-a"]).map { $0["detail"] as String }
            }
        }
        let summaryPlan = try await plan(SQLiteSeriesStore.seriesSummarySQL)
        #expect(summaryPlan.contains { $0.contains("COVERING INDEX points_series") }, "\(summaryPlan)")
        let scalarsPlan = try await plan(SQLiteSeriesStore.latestScalarsSQL)
        #expect(scalarsPlan.contains { $0.contains("COVERING INDEX scalars_identity") }, "\(scalarsPlan)")
        #expect(scalarsPlan.contains { $0.contains("INDEX scalars_run_step (run_id=? AND step=?)") }, "\(scalarsPlan)")
    }
}
