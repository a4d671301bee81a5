import Foundation
import GRDB
import InfoplaneMonitor

/// The waiting-frame store in the same SQLite file as the series: table `waiting_frames`,
/// one row per frame, the frame's stored form as a blob. Saving a frame is one transaction,
/// so an acknowledged frame survives `kill -9` with the same durability as points.
extension SQLiteSeriesStore: WaitingFrameStore {
    public func saveWaitingFrame(_ frame: WaitingFrame) async throws {
        let now = configuration.clock().timeIntervalSince1970
        let options = try Self.encodeMetadata(frame.runOptions)
        try await writing("save of waiting frame \(frame.key)") { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO waiting_frames (run, step, split, run_options_json, frame, byte_count, saved_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [frame.key.run, frame.key.step, frame.key.split.rawValue, options,
                                 Data(frame.bytes), frame.bytes.count, now])
        }
    }

    public func waitingFrame(_ key: FrameKey) async throws -> WaitingFrame? {
        try await reading("read of waiting frame \(key)") { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT run_options_json, frame FROM waiting_frames WHERE run = ? AND step = ? AND split = ?
                """, arguments: [key.run, key.step, key.split.rawValue]) else { return nil }
            let frame: Data = row["frame"]
            return WaitingFrame(key: key, runOptions: try Self.decodeMetadata(row["run_options_json"]), bytes: [UInt8](frame))
        }
    }

    public func removeWaitingFrames(_ keys: [FrameKey]) async throws {
        guard !keys.isEmpty else { return }
        try await writing("removal of \(keys.count) waiting frames") { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM waiting_frames WHERE run = ? AND step = ? AND split = ?")
            for key in keys { try delete.execute(arguments: [key.run, key.step, key.split.rawValue]) }
        }
    }

    public func waitingFrameSizes() async throws -> [FrameKey: Int] {
        try await reading("list of waiting frames") { db in
            var sizes: [FrameKey: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT run, step, split, byte_count FROM waiting_frames") {
                guard let split = ProbeSplit(rawValue: row["split"]) else { continue }
                sizes[FrameKey(run: row["run"], step: row["step"], split: split)] = row["byte_count"]
            }
            return sizes
        }
    }
}
