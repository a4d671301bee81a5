import Foundation
import InfoplaneEstimators
import InfoplaneMonitor
import Testing
@testable import InfoplaneStore

/// Point flags: stored as a bit set, and migrated from the `partial` column of older files.
@Suite struct SQLiteSeriesStoreFlagsTests {
    @Test func everyFlagRoundTrips() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteSeriesStore(path: dir.databasePath)
        let all: [SeriesPointFlags] = [[], .partialFrame, .saturated, .fewSamples, .lowerBound,
                                       [.partialFrame, .saturated, .fewSamples, .lowerBound]]
        let written = all.enumerated().map { i, flags in
            var p = point(step: Int64(i + 1), value: Double(i))
            p.flags = flags
            return p
        }
        try await store.appendFrame(written)
        let read = try await store.series(SeriesQuery(run: "run-a"))
        #expect(read.map(\.flags) == all)
        #expect(read == written)
    }

    @Test func aPointReplacedAtItsStepTakesTheNewFlags() async throws {
        let store = try SQLiteSeriesStore.inMemory()
        var p = point(step: 2, value: 1)
        p.flags = .partialFrame
        try await store.appendFrame([p])
        p.flags = []
        p.value = 2
        try await store.appendFrame([p])
        let read = try await store.series(SeriesQuery(run: "run-a"))
        // Ordered by layer, metric, estimator (SQLite compares bytes: "I(" sorts first).
        #expect(read == [p])
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

    @Test func queriesFilterOnTheTypedSeriesNames() async throws {
        let store = try SQLiteSeriesStore.inMemory()
        try await store.appendFrame(frame(step: 1))
        let ity = try await store.series(SeriesQuery(run: "run-a", metric: .labelInformation, estimator: .binning))
        #expect(ity.count == 3 && ity.allSatisfy { $0.metric == .labelInformation })
        let none = try await store.series(SeriesQuery(run: "run-a", estimator: EstimatorName("no-such-estimator")))
        #expect(none.isEmpty)
    }
}
