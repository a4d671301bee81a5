import Foundation
import Testing
import InfoplaneMonitor
@testable import InfoplaneStore

@Suite struct SQLiteSeriesStoreRetentionTests {
    @Test func pruneDeletesPointsAndScalarsOlderThanTheMaximumAge() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let clock = TestClock()
        let store = try SQLiteSeriesStore(path: dir.databasePath, configuration: StoreConfiguration(
            retention: RetentionPolicy(maxAgeDays: 10), clock: clock.function))
        try await store.appendFrame(frame(step: 1))
        try await store.appendScalars(ScalarRecord(run: "run-a", step: 1, epoch: 0, split: .train, values: ["loss": 1]))
        _ = try await store.appendAlert(AlertRecord(run: "run-a", layer: "", kind: .clientStalled, severity: .warning,
                                                    step: 1, message: "m", evidenceJSON: "{}"))
        clock.advance(days: 6)
        try await store.appendFrame(frame(step: 2))
        try await store.appendScalars(ScalarRecord(run: "run-a", step: 2, epoch: 0, split: .train, values: ["loss": 0.5]))

        #expect(try await store.pruneExpired() == PruneReport(pointsDeleted: 0, scalarsDeleted: 0))
        clock.advance(days: 5) // step 1 is now 11 days old, step 2 five.
        #expect(try await store.pruneExpired() == PruneReport(pointsDeleted: 6, scalarsDeleted: 1))
        #expect(try await store.series(SeriesQuery(run: "run-a")).allSatisfy { $0.step == 2 })
        #expect(try await store.scalars(run: "run-a", sinceStep: nil).map(\.step) == [2])
        #expect(try await store.alerts(run: nil, afterID: nil).count == 1)
        #expect(try await store.run(named: "run-a") != nil)
    }

    @Test func pruneKeepsTheLastStepsOfEverySeries() async throws {
        let store = try SQLiteSeriesStore.inMemory(configuration: StoreConfiguration(
            retention: RetentionPolicy(maxAgeDays: nil, maxStepsPerSeries: 3)))
        for step in Int64(1)...5 {
            try await store.appendFrame(frame(step: step, layers: ["L1", "L2"]))
            try await store.appendScalars(ScalarRecord(run: "run-a", step: step, epoch: 0, split: .train,
                                                       values: ["loss": 1, "accuracy": 0.5]))
        }
        try await store.appendFrame(frame(run: "short", step: 1))
        let report = try await store.pruneExpired()
        #expect(report == PruneReport(pointsDeleted: 4 * 2, scalarsDeleted: 2 * 2))
        let l2 = try await store.series(SeriesQuery(run: "run-a", layer: "L2", metric: Metric.labelInformation))
        #expect(l2.map(\.step) == [3, 4, 5])
        #expect(try await store.series(SeriesQuery(run: "short")).count == 6)
        #expect(try await store.scalars(run: "run-a", sinceStep: nil).map(\.step) == [3, 4, 5])
    }

    @Test func invalidLimitsAreRefusedWithAnExplanation() {
        #expect(throws: StoreError.self) {
            _ = try SQLiteSeriesStore.inMemory(configuration: StoreConfiguration(retention: RetentionPolicy(maxAgeDays: 0)))
        }
        #expect(throws: StoreError.self) {
            try RetentionPolicy(maxAgeDays: nil, maxStepsPerSeries: 0).validate()
        }
    }

    @Test func storeConfigurationDecodesWithDefaults() throws {
        let json = #"{"durability": "full", "retention": {"max_age_days": 7}}"#
        let decoded = try ConfigurationCoding.decode(from: Data(json.utf8), over: StoreConfiguration())
        #expect(decoded.durability == .full)
        #expect(decoded.retention == RetentionPolicy(maxAgeDays: 7, maxStepsPerSeries: nil))
        #expect(decoded.busyTimeoutSeconds == 5)
        let empty = try ConfigurationCoding.decode(from: Data("{}".utf8), over: StoreConfiguration())
        #expect(empty.durability == .normal && empty.retention == RetentionPolicy())
        #expect(throws: StoreError.self) {
            try ConfigurationCoding.decode(from: Data(#"{"busy_timeout_seconds": -1}"#.utf8),
                                           over: StoreConfiguration()).validate()
        }
    }

    @Test func retentionDecodesWithDefaults() throws {
        let decoded = try ConfigurationCoding.decode(from: Data(#"{"max_steps_per_series": 100}"#.utf8),
                                                    over: RetentionPolicy())
        #expect(decoded == RetentionPolicy(maxAgeDays: RetentionPolicy.defaultMaxAgeDays, maxStepsPerSeries: 100))
    }
}
