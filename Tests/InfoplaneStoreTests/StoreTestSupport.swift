import Foundation
import GRDB
import InfoplaneEstimators
import InfoplaneMonitor
@testable import InfoplaneStore

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("infoplane-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var databasePath: String { url.appendingPathComponent("infoplane.sqlite").path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Runs `body` on a store opened with the defaults in a fresh temporary directory, and
/// removes the directory afterwards.
func withTemporaryStore<T>(_ body: (SQLiteSeriesStore) async throws -> T) async throws -> T {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    return try await body(try SQLiteSeriesStore(path: dir.databasePath))
}

/// A wall clock tests can move.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = start }

    var now: Date { lock.withLock { current } }
    func advance(days: Double) { lock.withLock { current += days * 86_400 } }

    var function: @Sendable () -> Date { { [self] in self.now } }
}

func point(run: String = "run-a", layer: String = "L1", split: ProbeSplit = .train,
           metric: Metric = .inputInformation, estimator: EstimatorName = .binning,
           step: Int64, value: Double) -> SeriesPoint {
    SeriesPoint(series: SeriesID(run: run, layer: layer, split: split, metric: metric, estimator: estimator),
                step: step, value: value, unit: .bits, sampleCount: 4096, dimension: 5, seconds: 0.01 * Double(step % 7), flags: step % 2 == 1 ? .partialFrame : [])
}

/// The points of one probe frame: every layer × (I(X;T), I(T;Y)) for one step.
func frame(run: String = "run-a", step: Int64, layers: [String] = ["L1", "L2", "L3"]) -> [SeriesPoint] {
    layers.enumerated().flatMap { (i, layer) in
        [point(run: run, layer: layer, step: step, value: Double(step) + Double(i) / 10),
         point(run: run, layer: layer, metric: Metric.labelInformation, step: step, value: 1 / Double(step + 1))]
    }
}

/// Writes a store file at `path` as an older version left it: the schema migrated up to
/// `migration` only, with `sql` run in it.
func writeOlderStoreFile(at path: String, upTo migration: String, sql: String) async throws {
    let old = try DatabasePool(path: path)
    try StoreSchema.migrator.migrate(old, upTo: migration)
    try await old.write { try $0.execute(sql: sql) }
    try old.close()
}
