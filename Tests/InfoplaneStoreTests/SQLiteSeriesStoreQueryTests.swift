import Foundation
import InfoplaneEstimators
import Testing
import InfoplaneMonitor
@testable import InfoplaneStore

@Suite struct SQLiteSeriesStoreQueryTests {
    /// Two runs; layers L1, L2; both metrics; two estimators; two splits; steps 1...4.
    func populated() async throws -> (SQLiteSeriesStore, TemporaryDirectory) {
        let dir = try TemporaryDirectory()
        let store = try SQLiteSeriesStore(path: dir.databasePath)
        for run in ["a", "b"] {
            for step in Int64(1)...4 {
                var points: [SeriesPoint] = []
                for layer in ["L1", "L2"] {
                    for metric in [Metric.inputInformation, Metric.labelInformation] {
                        for estimator in [EstimatorName.binning, .ksg1] {
                            for split in [ProbeSplit.train, .validation] {
                                points.append(point(run: run, layer: layer, split: split, metric: metric,
                                                    estimator: estimator, step: step, value: Double(step)))
                            }
                        }
                    }
                }
                try await store.appendFrame(points)
            }
        }
        return (store, dir)
    }

    @Test func eachFilterNarrowsTheSeries() async throws {
        let (store, dir) = try await populated()
        defer { dir.remove() }
        #expect(try await store.series(SeriesQuery(run: "a")).count == 2 * 2 * 2 * 2 * 4)
        #expect(try await store.series(SeriesQuery(run: "zzz")).isEmpty)

        let byLayer = try await store.series(SeriesQuery(run: "a", layer: "L2"))
        #expect(byLayer.count == 32 && byLayer.allSatisfy { $0.layer == "L2" && $0.run == "a" })

        let byMetric = try await store.series(SeriesQuery(run: "a", metric: Metric.labelInformation))
        #expect(byMetric.count == 32 && byMetric.allSatisfy { $0.metric == Metric.labelInformation })

        let byEstimator = try await store.series(SeriesQuery(run: "b", estimator: .ksg1))
        #expect(byEstimator.count == 32 && byEstimator.allSatisfy { $0.estimator == .ksg1 && $0.run == "b" })

        let bySplit = try await store.series(SeriesQuery(run: "a", split: .validation))
        #expect(bySplit.count == 32 && bySplit.allSatisfy { $0.split == .validation })

        let since = try await store.series(SeriesQuery(run: "a", sinceStep: 3))
        #expect(since.count == 32 && since.allSatisfy { $0.step >= 3 })

        let one = try await store.series(SeriesQuery(run: "a", layer: "L1", metric: Metric.inputInformation,
                                                      estimator: .binning, split: .train, sinceStep: 2))
        #expect(one.map(\.step) == [2, 3, 4])
    }

    @Test func seriesAreOrderedByLayerMetricEstimatorSplitStep() async throws {
        let (store, dir) = try await populated()
        defer { dir.remove() }
        let all = try await store.series(SeriesQuery(run: "a"))
        let keys = all.map { [$0.layer, $0.metric.rawValue, $0.estimator.rawValue, $0.split.rawValue, String(format: "%05d", $0.step)] }
        #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
    }

    @Test func alertsAfterAnIdentifierAndPerRun() async throws {
        let store = try SQLiteSeriesStore.inMemory()
        var stored: [AlertRecord] = []
        for i in 0..<6 {
            stored.append(try await store.appendAlert(AlertRecord(
                run: i % 2 == 0 ? "a" : "b", layer: "L\(i)", kind: .representationCollapse, severity: .critical,
                step: Int64(i), message: "m\(i)", evidenceJSON: "{}",
                time: Date(timeIntervalSince1970: 1_800_000_000 + Double(i)))))
        }
        let cursor = try #require(stored[2].id)
        #expect(try await store.alerts(run: nil, afterID: cursor) == Array(stored[3...]))
        #expect(try await store.alerts(run: "a", afterID: nil) == [stored[0], stored[2], stored[4]])
        #expect(try await store.alerts(run: "b", afterID: cursor) == [stored[3], stored[5]])
        #expect(try await store.alerts(run: nil, afterID: stored[5].id).isEmpty)
    }
}
