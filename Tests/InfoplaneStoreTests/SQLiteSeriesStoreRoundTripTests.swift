import Foundation
import InfoplaneEstimators
import Testing
import InfoplaneMonitor
@testable import InfoplaneStore

@Suite struct SQLiteSeriesStoreRoundTripTests {
    @Test func pointsRoundTripWithEveryField() async throws {
        try await withTemporaryStore { store in
            let written = frame(step: 10) + frame(step: 20)
            try await store.appendFrame(written)
            let read = try await store.series(SeriesQuery(run: "run-a"))
            let expected = written.sorted {
                ($0.layer, $0.metric, $0.estimator, $0.split.rawValue, $0.step)
                    < ($1.layer, $1.metric, $1.estimator, $1.split.rawValue, $1.step)
            }
            #expect(read == expected)
        }
    }

    @Test func runsAreCreatedOnceAndKeepTheirIdentifier() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let clock = TestClock()
        let store = try SQLiteSeriesStore(path: dir.databasePath, configuration: StoreConfiguration(clock: clock.function))
        let first = try await store.upsertRun(RunDescriptor(name: "mnist", clientName: "py", metadata: ["lr": "0.01"]))
        clock.advance(days: 1)
        let again = try await store.upsertRun(RunDescriptor(name: "mnist", clientName: "py2", metadata: ["lr": "0.02"]))
        #expect(again.id == first.id)
        #expect(again.createdAt == first.createdAt)
        #expect(again.lastSeenAt == clock.now)
        #expect(again.clientName == "py2")
        #expect(again.metadata == ["lr": "0.02"])
        let all = try await store.runs()
        #expect(all.map(\.name) == ["mnist"])
        #expect(try await store.run(named: "mnist") == again)
        #expect(try await store.run(named: "other") == nil)
    }

    @Test func pointsOfAnUnknownRunCreateIt() async throws {
        let store = try SQLiteSeriesStore.inMemory()
        try await store.appendFrame(frame(run: "late-hello", step: 1))
        let run = try #require(try await store.run(named: "late-hello"))
        #expect(run.clientName == "")
        #expect(try await store.series(SeriesQuery(run: "late-hello")).count == 6)
    }

    @Test func aResentStepReplacesItsValue() async throws {
        let store = try SQLiteSeriesStore.inMemory()
        try await store.appendFrame([point(step: 5, value: 1.0)])
        try await store.appendFrame([point(step: 5, value: 2.5)])
        let read = try await store.series(SeriesQuery(run: "run-a"))
        #expect(read.map(\.value) == [2.5])
    }

    @Test func scalarsRoundTripGroupedByStepAndSplit() async throws {
        try await withTemporaryStore { store in
            let records = [
                ScalarRecord(run: "r", step: 1, epoch: 0, split: .train, values: ["loss": 2.0, "accuracy": 0.4]),
                ScalarRecord(run: "r", step: 1, epoch: 0, split: .validation, values: ["loss": 2.2]),
                ScalarRecord(run: "r", step: 2, epoch: 1, split: .train, values: ["loss": 1.5, "accuracy": 0.6]),
            ]
            for r in records { try await store.appendScalars(r) }
            #expect(try await store.scalars(run: "r", sinceStep: nil) == records)
            #expect(try await store.scalars(run: "r", sinceStep: 2) == [records[2]])
            #expect(try await store.scalars(run: "nobody", sinceStep: nil) == [])
        }
    }

    @Test func alertsGetIncreasingIdentifiersAndRoundTrip() async throws {
        try await withTemporaryStore { store in
            let time = Date(timeIntervalSince1970: 1_800_000_123.5)
            let a = try await store.appendAlert(AlertRecord(run: "r1", layer: "L5", kind: .compressionOnset, severity: .info,
                                                            step: 1500, message: "fell", evidenceJSON: #"{"peak":7.5}"#, time: time))
            let b = try await store.appendAlert(AlertRecord(run: "r2", layer: "", kind: .clientStalled, severity: .warning,
                                                            step: 90, message: "silent", evidenceJSON: "{}", time: time))
            let idA = try #require(a.id)
            let idB = try #require(b.id)
            #expect(idB > idA)
            let all = try await store.alerts(run: nil, afterID: nil)
            #expect(all == [a, b])
            #expect(all[0].time == time)
            #expect(all[0].evidenceJSON == #"{"peak":7.5}"#)
        }
    }

    // MARK: - Point flags (stored as a bit set)

    @Test func everyFlagRoundTrips() async throws {
        try await withTemporaryStore { store in
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

    @Test func queriesFilterOnTheTypedSeriesNames() async throws {
        let store = try SQLiteSeriesStore.inMemory()
        try await store.appendFrame(frame(step: 1))
        let ity = try await store.series(SeriesQuery(run: "run-a", metric: .labelInformation, estimator: .binning))
        #expect(ity.count == 3 && ity.allSatisfy { $0.metric == .labelInformation })
        let none = try await store.series(SeriesQuery(run: "run-a", estimator: EstimatorName("no-such-estimator")))
        #expect(none.isEmpty)
    }
}
