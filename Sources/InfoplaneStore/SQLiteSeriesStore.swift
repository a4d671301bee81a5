import Foundation
import GRDB
import InfoplaneMonitor

/// The daemon's time-series and alert store: one SQLite file (the daemon uses
/// `<state-dir>/infoplane.sqlite`) in WAL mode, through a GRDB `DatabasePool`, so readers
/// (HTTP, CLI) never block the writer and the writer never blocks them.
///
/// - Schema: `StoreSchema` migrations (runs, layers, points, scalars, alerts), applied on open.
/// - `appendFrame` writes every point of a probe frame in one transaction: all or none.
/// - A run is identified by its name: `upsertRun` with a known name returns the stored run
///   (same id), so a reconnecting client continues its series, also after a restart.
/// - Points, scalars and alerts of an unknown run create the run (client name empty).
/// - Durability: see `StoreDurability` (default `normal`: every commit survives `kill -9`).
/// - Retention: see `RetentionPolicy` and `pruneExpired()`; the daemon calls it periodically.
public final class SQLiteSeriesStore: SeriesStore {
    /// The file's path, or nil for an in-memory store.
    public let path: String?
    let writer: any DatabaseWriter
    let configuration: StoreConfiguration

    /// Opens (creating if needed) the store at `path` and migrates it to the current schema.
    public init(path: String, configuration: StoreConfiguration = StoreConfiguration()) throws {
        try configuration.validate()
        var config = Configuration()
        config.busyMode = .timeout(configuration.busyTimeoutSeconds)
        config.label = "infoplane-store"
        do {
            let pool = try DatabasePool(path: path, configuration: config)
            if configuration.durability == .full {
                // GRDB sets NORMAL when it enables WAL; FULL must come after, on the writer.
                try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            }
            try StoreSchema.migrator.migrate(pool)
            self.writer = pool
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotOpen(path: path, underlying: String(describing: error))
        }
        self.path = path
        self.configuration = configuration
    }

    /// An in-memory store for tests of code that needs a `SeriesStore`; nothing survives it.
    public static func inMemory(configuration: StoreConfiguration = StoreConfiguration()) throws -> SQLiteSeriesStore {
        try SQLiteSeriesStore(memoryConfiguration: configuration)
    }

    private init(memoryConfiguration: StoreConfiguration) throws {
        try memoryConfiguration.validate()
        do {
            let queue = try DatabaseQueue()
            try StoreSchema.migrator.migrate(queue)
            self.writer = queue
        } catch {
            throw StoreError.cannotOpen(path: ":memory:", underlying: String(describing: error))
        }
        self.path = nil
        self.configuration = memoryConfiguration
    }

    /// Closes the database. Further calls fail. Closing is optional: the file is consistent
    /// after every commit, including when the process is killed.
    public func close() throws {
        do { try writer.close() } catch {
            throw StoreError.databaseFailure(operation: "close", underlying: String(describing: error))
        }
    }

    /// The value of `PRAGMA synchronous` on the writer connection (1 NORMAL, 2 FULL).
    public func synchronousSetting() async throws -> Int {
        try await writing("read synchronous") { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
        }
    }

    /// The value of `PRAGMA journal_mode` ("wal" for a file store).
    public func journalMode() async throws -> String {
        try await writing("read journal mode") { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
        }
    }

    /// SQLite's own consistency check of the whole file: `["ok"]` when sound, otherwise
    /// the problems found. For the crash test and `infoplaned --check-store`-like tooling.
    public func integrityCheck() async throws -> [String] {
        try await reading("integrity check") { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check")
        }
    }

    // MARK: - Access helpers

    func writing<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.write(body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where isDiskFull(error) {
            throw StoreError.diskFull(operation: operation, underlying: "SQLite error \(error.resultCode.rawValue): \(error.message ?? "database or disk is full")")
        } catch {
            throw StoreError.databaseFailure(operation: operation, underlying: String(describing: error))
        }
    }

    /// SQLITE_FULL, or an I/O error while the store's filesystem has no space left (SQLite
    /// reports ENOSPC as SQLITE_FULL on most paths, not all).
    private func isDiskFull(_ error: DatabaseError) -> Bool {
        if error.resultCode.primaryResultCode == .SQLITE_FULL { return true }
        guard error.resultCode.primaryResultCode == .SQLITE_IOERR, let path else { return false }
        var stats = statvfs()
        guard statvfs((path as NSString).deletingLastPathComponent, &stats) == 0 else { return false }
        return stats.f_bavail == 0
    }

    func reading<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.databaseFailure(operation: operation, underlying: String(describing: error))
        }
    }
}
