import Foundation
import Testing
import InfoplaneMonitor
@testable import InfoplaneStore

/// The waiting-frame table: frames saved, listed with their sizes, read back, removed, and still
/// there after the file is reopened (what a restarted daemon resumes).
@Suite struct SQLiteWaitingFrameStoreTests {
    func waiting(_ step: Int64, run: String = "r", split: ProbeSplit = .train, size: Int = 64) -> WaitingFrame {
        WaitingFrame(key: FrameKey(run: run, step: step, split: split), runOptions: ["estimators": "dse", "k": "\(step)"],
                     bytes: (0..<size).map { UInt8(truncatingIfNeeded: Int(step) &* 31 &+ $0) })
    }

    @Test func framesAreKeptUntilRemovedAndSurviveReopening() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let store = try SQLiteSeriesStore(path: dir.databasePath)
            for step: Int64 in [20, 10, 30] { try await store.saveWaitingFrame(waiting(step)) }
            try await store.saveWaitingFrame(waiting(10, split: .validation, size: 5))
            try await store.saveWaitingFrame(waiting(5, run: "a", size: 1 << 20))
            // Saving a key again replaces it.
            try await store.saveWaitingFrame(waiting(30, size: 7))
            try await store.removeWaitingFrames([FrameKey(run: "r", step: 20, split: .train),
                                                 FrameKey(run: "nobody", step: 1, split: .train)])
            try store.close()
        }
        let store = try SQLiteSeriesStore(path: dir.databasePath)
        #expect(try await store.waitingFrameSizes() == [
            FrameKey(run: "a", step: 5, split: .train): 1 << 20,
            FrameKey(run: "r", step: 10, split: .train): 64,
            FrameKey(run: "r", step: 10, split: .validation): 5,
            FrameKey(run: "r", step: 30, split: .train): 7,
        ])
        #expect(try await store.waitingFrame(FrameKey(run: "a", step: 5, split: .train)) == waiting(5, run: "a", size: 1 << 20))
        #expect(try await store.waitingFrame(FrameKey(run: "r", step: 30, split: .train)) == waiting(30, size: 7))
        #expect(try await store.waitingFrame(FrameKey(run: "r", step: 20, split: .train)) == nil)
        #expect(try await store.integrityCheck() == ["ok"])
    }
}
