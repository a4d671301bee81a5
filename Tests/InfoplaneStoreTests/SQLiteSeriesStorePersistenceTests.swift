import Foundation
import GRDB
import Testing
import InfoplaneMonitor
@testable import InfoplaneStore

@Suite struct SQLiteSeriesStorePersistenceTests {
    @Test func reopenAfterCloseKeepsEverything() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let runID: String
        let alert: AlertRecord
        do {
            let store = try SQLiteSeriesStore(path: dir.databasePath)
            runID = try await store.upsertRun(RunDescriptor(name: "run-a", clientName: "py")).id
            for step in Int64(1)...5 { try await store.appendFrame(frame(step: step)) }
            try await store.appendScalars(ScalarRecord(run: "run-a", step: 5, epoch: 1, split: .train, values: ["loss": 0.3]))
            alert = try await store.appendAlert(AlertRecord(run: "run-a", layer: "L1", kind: .overfitting, severity: .warning,
                                                            step: 5, message: "m", evidenceJSON: "{}",
                                                            time: Date(timeIntervalSince1970: 1_800_000_000)))
            try store.close()
        }
        let reopened = try SQLiteSeriesStore(path: dir.databasePath)
        #expect(try await reopened.integrityCheck() == ["ok"])
        #expect(try await reopened.series(SeriesQuery(run: "run-a")).count == 30)
        #expect(try await reopened.scalars(run: "run-a", sinceStep: nil).count == 1)
        #expect(try await reopened.alerts(run: nil, afterID: nil) == [alert])
        // The run continues under the same identity, and its series grow.
        let continued = try await reopened.upsertRun(RunDescriptor(name: "run-a", clientName: "py"))
        #expect(continued.id == runID)
        try await reopened.appendFrame(frame(step: 6))
        let l1 = try await reopened.series(SeriesQuery(run: "run-a", layer: "L1", metric: Metric.inputInformation))
        #expect(l1.map(\.step) == [1, 2, 3, 4, 5, 6])
    }

    @Test func aFileStoreIsInWALModeWithTheChosenDurability() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let normal = try SQLiteSeriesStore(path: dir.databasePath)
        #expect(try await normal.journalMode() == "wal")
        #expect(try await normal.synchronousSetting() == 1)
        try normal.close()
        let full = try SQLiteSeriesStore(path: dir.databasePath, configuration: StoreConfiguration(durability: .full))
        #expect(try await full.journalMode() == "wal")
        #expect(try await full.synchronousSetting() == 2)
    }

    @Test func migratesAFileCreatedByAnOlderSchema() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // A file as the first released schema left it, with data in it.
        try await writeOlderStoreFile(at: dir.databasePath, upTo: "v1-series", sql: """
            INSERT INTO runs VALUES ('id-1', 'old-run', 'py', '{}', 1000, 1000);
            INSERT INTO layers (id, run_id, name) VALUES (1, 'id-1', 'L1');
            INSERT INTO points (layer_id, metric, estimator, split, step, value, units, n, d, seconds, partial, recorded_at)
            VALUES (1, 'I(X;T)', 'binning', 'train', 3, 7.25, 'bits', 100, 2, 0.5, 0, 1000);
            """)
        do {
            let old = try DatabaseQueue(path: dir.databasePath)
            #expect(try await old.read { try $0.tableExists("alerts") } == false)
            try old.close()
        }
        let store = try SQLiteSeriesStore(path: dir.databasePath)
        let applied = try await store.reading("applied") { try StoreSchema.migrator.appliedMigrations($0) }
        #expect(applied == StoreSchema.migrationIdentifiers)
        let old = try await store.series(SeriesQuery(run: "old-run"))
        #expect(old.map(\.value) == [7.25])
        let stored = try await store.appendAlert(AlertRecord(run: "old-run", layer: "L1", kind: .compressionOnset,
                                                             severity: .info, step: 3, message: "m", evidenceJSON: "{}"))
        #expect(stored.id == 1)
        let indexes = try await store.reading("indexes") { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        }
        #expect(indexes == ["alerts_run_id", "points_recorded_at", "points_series", "scalars_identity",
                            "scalars_recorded_at", "scalars_run_step"])
    }

    @Test func reopeningACurrentFileAppliesNothingTwice() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try SQLiteSeriesStore(path: dir.databasePath).close()
        let again = try SQLiteSeriesStore(path: dir.databasePath)
        let applied = try await again.reading("applied") { try StoreSchema.migrator.appliedMigrations($0) }
        #expect(applied == StoreSchema.migrationIdentifiers)
    }

    @Test func anOlderFileMigratesPartialToThePartialFrameFlag() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await writeOlderStoreFile(at: dir.databasePath, upTo: "v3-retention", sql: """
            INSERT INTO runs (id, name, client_name, metadata_json, created_at, last_seen_at)
            VALUES ('r1', 'old-run', 'py', '{}', 1, 1);
            INSERT INTO layers (id, run_id, name) VALUES (1, 'r1', 'L1');
            INSERT INTO points (layer_id, metric, estimator, split, step, value, units, n, d, seconds, partial, recorded_at)
            VALUES (1, 'I(X;T)', 'binning', 'probe', 10, 3.5, 'bits', 4096, 12, 0.01, 0, 1),
                   (1, 'I(X;T)', 'binning', 'probe', 20, 3.0, 'bits', 4096, 12, 0.01, 1, 1),
                   (1, 'explained_variance', 'pca', 'probe', 10, 0.9, 'fraction', 4096, 4, 0, 0, 1),
                   (1, 'dse_sigma', 'median_heuristic', 'probe', 10, 1.5, 'data', 4096, 4, 0, 1, 1);
            """)
        let store = try SQLiteSeriesStore(path: dir.databasePath)
        let read = try await store.series(SeriesQuery(run: "old-run"))
        let ixt = SeriesID(run: "old-run", layer: "L1", split: .probe, metric: .inputInformation, estimator: .binning)
        // Ordered by layer, metric, estimator (SQLite compares bytes: "I(" sorts first).
        #expect(read == [
            SeriesPoint(series: ixt, step: 10, value: 3.5, unit: .bits, sampleCount: 4096, dimension: 12, seconds: 0.01),
            SeriesPoint(series: ixt, step: 20, value: 3.0, unit: .bits, sampleCount: 4096, dimension: 12, seconds: 0.01,
                        flags: .partialFrame),
            SeriesPoint(series: SeriesID(run: "old-run", layer: "L1", split: .probe, metric: .kernelSigma,
                                         estimator: .medianHeuristic),
                        step: 10, value: 1.5, unit: .data, sampleCount: 4096, dimension: 4, seconds: 0, flags: .partialFrame),
            SeriesPoint(series: SeriesID(run: "old-run", layer: "L1", split: .probe, metric: .explainedVariance, estimator: .pca),
                        step: 10, value: 0.9, unit: .fraction, sampleCount: 4096, dimension: 4, seconds: 0),
        ])
        // The unique index still keys a point on its series and step: re-sending replaces.
        try await store.appendFrame([SeriesPoint(series: ixt, step: 20, value: 3.25, unit: .bits, sampleCount: 4096,
                                                 dimension: 12, seconds: 0.01)])
        let again = try await store.series(SeriesQuery(run: "old-run", metric: .inputInformation))
        #expect(again.map(\.value) == [3.5, 3.25])
        #expect(again.map(\.flags) == [[], []])
    }
}
