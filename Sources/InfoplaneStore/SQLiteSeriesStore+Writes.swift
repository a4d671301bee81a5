import Foundation
import GRDB
import InfoplaneMonitor

extension SQLiteSeriesStore {
    public func upsertRun(_ run: RunDescriptor) async throws -> RunRecord {
        let now = configuration.clock().timeIntervalSince1970
        let metadata = try Self.encodeMetadata(run.metadata)
        return try await writing("upsert of run '\(run.name)'") { db in
            if let existing = try Row.fetchOne(db, sql: "SELECT id FROM runs WHERE name = ?", arguments: [run.name]) {
                let id: String = existing["id"]
                try db.execute(sql: """
                    UPDATE runs SET client_name = ?, metadata_json = ?, last_seen_at = ? WHERE id = ?
                    """, arguments: [run.clientName, metadata, now, id])
            } else {
                try db.execute(sql: """
                    INSERT INTO runs (id, name, client_name, metadata_json, created_at, last_seen_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [UUID().uuidString.lowercased(), run.name, run.clientName, metadata, now, now])
            }
            return try Self.fetchRun(db, named: run.name)!
        }
    }

    public func appendFrame(_ points: [SeriesPoint]) async throws {
        try await appendFrame(points, completing: nil)
    }

    /// Writes the points and removes the frame's waiting copy in the same transaction: a
    /// frame is either waiting or estimated, never both, whenever the daemon is killed.
    public func appendFrame(_ points: [SeriesPoint], completing frame: FrameKey?) async throws {
        guard !points.isEmpty || frame != nil else { return }
        let now = configuration.clock().timeIntervalSince1970
        try await writing("append of a frame of \(points.count) points") { db in
            if let frame {
                try db.execute(sql: "DELETE FROM waiting_frames WHERE run = ? AND step = ? AND split = ?",
                               arguments: [frame.run, frame.step, frame.split.rawValue])
            }
            var runIDs: [String: String] = [:]
            var layerIDs: [String: [String: Int64]] = [:]
            let insert = try db.cachedStatement(sql: """
                INSERT INTO points (layer_id, metric, estimator, split, step, value, units, n, d, seconds, flags, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (layer_id, metric, estimator, split, step) DO UPDATE SET
                    value = excluded.value, units = excluded.units, n = excluded.n, d = excluded.d,
                    seconds = excluded.seconds, flags = excluded.flags, recorded_at = excluded.recorded_at
                """)
            for point in points {
                guard point.value.isFinite else {
                    // Throwing rolls the whole transaction back: nothing of the frame is kept.
                    throw StoreError.nonFiniteValue(run: point.run, layer: point.layer, metric: point.metric.rawValue,
                                                    step: point.step)
                }
                let runID: String
                if let known = runIDs[point.run] { runID = known } else {
                    runID = try Self.ensureRun(db, named: point.run, now: now)
                    runIDs[point.run] = runID
                }
                let layerID: Int64
                if let known = layerIDs[point.run]?[point.layer] { layerID = known } else {
                    layerID = try Self.ensureLayer(db, runID: runID, name: point.layer)
                    layerIDs[point.run, default: [:]][point.layer] = layerID
                }
                try insert.execute(arguments: [
                    layerID, point.metric.rawValue, point.estimator.rawValue, point.split.rawValue, point.step, point.value,
                    point.unit.rawValue, point.sampleCount, point.dimension, point.seconds, point.flags.rawValue, now,
                ])
            }
        }
    }

    public func appendScalars(_ scalars: ScalarRecord) async throws {
        guard !scalars.values.isEmpty else { return }
        let now = configuration.clock().timeIntervalSince1970
        try await writing("append of scalars at step \(scalars.step)") { db in
            let runID = try Self.ensureRun(db, named: scalars.run, now: now)
            let insert = try db.cachedStatement(sql: """
                INSERT INTO scalars (run_id, step, epoch, split, name, value, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (run_id, split, name, step) DO UPDATE SET
                    epoch = excluded.epoch, value = excluded.value, recorded_at = excluded.recorded_at
                """)
            for (name, value) in scalars.values.sorted(by: { $0.key < $1.key }) {
                guard value.isFinite else {
                    throw StoreError.nonFiniteValue(run: scalars.run, layer: "", metric: name, step: scalars.step)
                }
                try insert.execute(arguments: [runID, scalars.step, scalars.epoch, scalars.split.rawValue, name, value, now])
            }
        }
    }

    public func appendAlert(_ alert: AlertRecord) async throws -> AlertRecord {
        let now = configuration.clock().timeIntervalSince1970
        return try await writing("append of a \(alert.kind.rawValue) alert") { db in
            let runID = try Self.ensureRun(db, named: alert.run, now: now, touch: false)
            try db.execute(sql: """
                INSERT INTO alerts (run_id, layer, kind, severity, step, message, evidence_json, time)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [runID, alert.layer, alert.kind.rawValue, alert.severity.rawValue, alert.step,
                                 alert.message, alert.evidenceJSON, alert.time.timeIntervalSince1970])
            var stored = alert
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    // MARK: - Helpers (inside a transaction)

    /// The id of the run of that name, created when missing; updates its last-seen time.
    static func ensureRun(_ db: Database, named name: String, now: Double, touch: Bool = true) throws -> String {
        if let id = try String.fetchOne(db, sql: "SELECT id FROM runs WHERE name = ?", arguments: [name]) {
            if touch {
                try db.execute(sql: "UPDATE runs SET last_seen_at = max(last_seen_at, ?) WHERE id = ?", arguments: [now, id])
            }
            return id
        }
        let id = UUID().uuidString.lowercased()
        try db.execute(sql: """
            INSERT INTO runs (id, name, client_name, metadata_json, created_at, last_seen_at)
            VALUES (?, ?, '', '{}', ?, ?)
            """, arguments: [id, name, now, now])
        return id
    }

    static func ensureLayer(_ db: Database, runID: String, name: String) throws -> Int64 {
        try db.execute(sql: "INSERT INTO layers (run_id, name) VALUES (?, ?) ON CONFLICT (run_id, name) DO NOTHING",
                       arguments: [runID, name])
        return try Int64.fetchOne(db, sql: "SELECT id FROM layers WHERE run_id = ? AND name = ?", arguments: [runID, name])!
    }

    static func encodeMetadata(_ metadata: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(metadata), as: UTF8.self)
    }
}
