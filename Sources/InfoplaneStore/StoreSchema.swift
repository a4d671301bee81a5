import GRDB
import InfoplaneMonitor

/// The store's schema, as a sequence of migrations. Never edit a shipped migration:
/// append a new one. Times are Unix seconds (REAL); booleans are 0/1.
enum StoreSchema {
    /// Identifiers of the migrations, in order.
    static let migrationIdentifiers = ["v1-series", "v2-alerts", "v3-retention", "v4-point-flags", "v5-waiting-frames"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        // Runs, their layers, the estimate points and the training scalars.
        migrator.registerMigration("v1-series") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL UNIQUE,
                    client_name TEXT NOT NULL,
                    metadata_json TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    last_seen_at REAL NOT NULL
                );
                CREATE TABLE layers (
                    id INTEGER PRIMARY KEY,
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    UNIQUE (run_id, name)
                );
                CREATE TABLE points (
                    id INTEGER PRIMARY KEY,
                    layer_id INTEGER NOT NULL REFERENCES layers(id) ON DELETE CASCADE,
                    metric TEXT NOT NULL,
                    estimator TEXT NOT NULL,
                    split TEXT NOT NULL,
                    step INTEGER NOT NULL,
                    value REAL NOT NULL,
                    units TEXT NOT NULL,
                    n INTEGER NOT NULL,
                    d INTEGER NOT NULL,
                    seconds REAL NOT NULL,
                    partial INTEGER NOT NULL,
                    recorded_at REAL NOT NULL
                );
                -- "The series of a run/layer/metric", ordered by step; also the identity of
                -- a point, so a re-sent step replaces its value instead of duplicating it.
                CREATE UNIQUE INDEX points_series ON points (layer_id, metric, estimator, split, step);
                CREATE TABLE scalars (
                    id INTEGER PRIMARY KEY,
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    step INTEGER NOT NULL,
                    epoch INTEGER NOT NULL,
                    split TEXT NOT NULL,
                    name TEXT NOT NULL,
                    value REAL NOT NULL,
                    recorded_at REAL NOT NULL
                );
                CREATE UNIQUE INDEX scalars_identity ON scalars (run_id, split, name, step);
                CREATE INDEX scalars_run_step ON scalars (run_id, step);
                """)
        }

        // Alerts. AUTOINCREMENT: ids are never reused, so "alerts after id" cursors held
        // by followers stay valid across deletions.
        migrator.registerMigration("v2-alerts") { db in
            try db.execute(sql: """
                CREATE TABLE alerts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    layer TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    step INTEGER NOT NULL,
                    message TEXT NOT NULL,
                    evidence_json TEXT NOT NULL,
                    time REAL NOT NULL
                );
                -- "Alerts of a run since id"; "alerts since id" uses the primary key.
                CREATE INDEX alerts_run_id ON alerts (run_id, id);
                """)
        }

        // Retention deletes by write time.
        migrator.registerMigration("v3-retention") { db in
            try db.execute(sql: """
                CREATE INDEX points_recorded_at ON points (recorded_at);
                CREATE INDEX scalars_recorded_at ON scalars (recorded_at);
                """)
        }
        // A point's flags (`SeriesPointFlags` bits) replace its `partial` boolean, which
        // becomes the `partialFrame` bit. The unique index `points_series` stays: the
        // series identity (run and layer through `layer_id`, metric, estimator, split) and
        // the step.
        migrator.registerMigration("v4-point-flags") { db in
            try db.execute(sql: """
                ALTER TABLE points ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
                UPDATE points SET flags = \(SeriesPointFlags.partialFrame.rawValue) WHERE partial != 0;
                ALTER TABLE points DROP COLUMN partial;
                """)
        }
        // Frames waiting for estimation (`WaitingFrameStore`): saved when assembled, deleted
        // once their points are stored; what a restarted daemon finds here it estimates.
        migrator.registerMigration("v5-waiting-frames") { db in
            try db.execute(sql: """
                CREATE TABLE waiting_frames (
                    run TEXT NOT NULL,
                    step INTEGER NOT NULL,
                    split TEXT NOT NULL,
                    run_options_json TEXT NOT NULL,
                    frame BLOB NOT NULL,
                    byte_count INTEGER NOT NULL,
                    saved_at REAL NOT NULL,
                    PRIMARY KEY (run, step, split)
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }
}
