import Foundation
import Testing
import InfoplaneMonitor
@testable import InfoplaneStore

@Suite struct SQLiteSeriesStoreTransactionTests {
    @Test func aFrameWithABadPointWritesNothing() async throws {
        try await withTemporaryStore { store in
            try await store.appendFrame(frame(step: 1))
            var bad = frame(step: 2, layers: ["L1", "L2", "L3", "L4"])
            // The bad point comes after several good ones (and after a new layer was created),
            // so the rollback has real work to undo.
            bad[6].value = .nan
            await #expect(throws: StoreError.self) { try await store.appendFrame(bad) }
            let read = try await store.series(SeriesQuery(run: "run-a"))
            #expect(read.count == 6)
            #expect(read.allSatisfy { $0.step == 1 })
            #expect(try await store.series(SeriesQuery(run: "run-a", layer: "L4")).isEmpty)
        }
    }

    @Test func nonFiniteErrorSaysWhatToDo() {
        let e = StoreError.nonFiniteValue(run: "r", layer: "L2", metric: "I(X;T)", step: 7)
        #expect(e.description.contains("L2"))
        #expect(e.description.contains("nothing of that frame was written"))
    }

    @Test func cannotOpenSaysWhatToDo() throws {
        #expect(throws: StoreError.self) {
            _ = try SQLiteSeriesStore(path: "/nonexistent-dir-\(UUID().uuidString)/infoplane.sqlite")
        }
        let e = StoreError.cannotOpen(path: "/x/infoplane.sqlite", underlying: "permission denied")
        #expect(e.description.contains("/x/infoplane.sqlite"))
        #expect(e.description.contains("writable"))
    }

    @Test func concurrentFramesAllLand() async throws {
        try await withTemporaryStore { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for step in Int64(1)...40 {
                    group.addTask { try await store.appendFrame(frame(step: step)) }
                }
                try await group.waitForAll()
            }
            let read = try await store.series(SeriesQuery(run: "run-a", layer: "L2", metric: Metric.inputInformation))
            #expect(read.map(\.step) == Array(1...40))
        }
    }
}
