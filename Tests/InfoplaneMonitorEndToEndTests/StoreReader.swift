import Foundation
import GRDB

/// Reads the daemon's SQLite store (`<state-dir>/infoplane.sqlite`) from the test process,
/// read-only, while the daemon runs or after it stopped. Plain SQL on the schema of
/// `Sources/InfoplaneStore/StoreSchema.swift`.
struct StoreReader: Sendable {
    /// The metric names the pipeline writes (`SeriesMetric`).
    enum Metric {
        static let inputInformation = "I(X;T)"
        static let labelInformation = "I(T;Y)"
        static let diffusionSpectralEntropy = "DSE(T)"
    }

    /// A stored point: which series (run, layer, split, metric, estimator), step and value.
    struct Point: Hashable, Sendable {
        var run, layer, split, metric, estimator: String
        var step: Int64
        var value: Double
    }

    /// A stored alert; `layer` is empty for run-wide alerts.
    struct Alert: Hashable, Sendable {
        var run, layer, kind: String
        var step: Int64
        var message, evidenceJSON: String
    }

    let path: String

    init(stateDirectory: URL) {
        path = stateDirectory.appendingPathComponent("infoplane.sqlite").path
    }

    var exists: Bool { FileManager.default.fileExists(atPath: path) }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read(body)
    }

    func points(run: String? = nil) throws -> [Point] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT runs.name AS run, layers.name AS layer, points.split, points.metric, points.estimator,
                       points.step, points.value
                FROM points JOIN layers ON layers.id = points.layer_id JOIN runs ON runs.id = layers.run_id
                WHERE (?1 IS NULL OR runs.name = ?1)
                ORDER BY points.id
                """, arguments: [run])
            return rows.map {
                Point(run: $0["run"], layer: $0["layer"], split: $0["split"], metric: $0["metric"],
                      estimator: $0["estimator"], step: $0["step"], value: $0["value"])
            }
        }
    }

    /// In one read: the steps of `run` with a point of `metric`, and the steps of its frames
    /// waiting for estimation.
    func estimatedAndWaitingSteps(run: String, metric: String) throws -> (estimated: Set<Int64>, waiting: Set<Int64>) {
        try read { db in
            let estimated = try Int64.fetchAll(db, sql: """
                SELECT DISTINCT points.step FROM points JOIN layers ON layers.id = points.layer_id
                JOIN runs ON runs.id = layers.run_id WHERE runs.name = ? AND points.metric = ?
                """, arguments: [run, metric])
            let waiting = try Int64.fetchAll(db, sql: "SELECT step FROM waiting_frames WHERE run = ?", arguments: [run])
            return (Set(estimated), Set(waiting))
        }
    }

    func alerts(run: String? = nil) throws -> [Alert] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT runs.name AS run, alerts.layer, alerts.kind, alerts.step, alerts.message, alerts.evidence_json
                FROM alerts JOIN runs ON runs.id = alerts.run_id
                WHERE (?1 IS NULL OR runs.name = ?1)
                ORDER BY alerts.id
                """, arguments: [run])
            return rows.map {
                Alert(run: $0["run"], layer: $0["layer"], kind: $0["kind"], step: $0["step"],
                      message: $0["message"], evidenceJSON: $0["evidence_json"])
            }
        }
    }

    /// The id the store gave the run named `name`, if any.
    /// (split, name, step) of every stored scalar of `run`.
    func scalarSteps(run: String) throws -> [(split: String, name: String, step: Int64)] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.split, s.name, s.step FROM scalars s JOIN runs r ON r.id = s.run_id WHERE r.name = ? ORDER BY s.step
                """, arguments: [run]).map { (split: $0["split"], name: $0["name"], step: $0["step"]) }
        }
    }

    func runID(named name: String) throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT id FROM runs WHERE name = ?", arguments: [name]) }
    }

    /// `PRAGMA integrity_check`'s rows ("ok" alone for a sound file).
    func integrityCheck() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }
}
