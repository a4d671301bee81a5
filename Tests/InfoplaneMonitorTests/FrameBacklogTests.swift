@testable import InfoplaneMonitor
import Testing

/// The waiting frames' order, memory hold and budget (`FrameBacklog`).
@Suite struct FrameBacklogTests {
    func key(_ step: Int64, run: String = "r", split: ProbeSplit = .train) -> FrameKey {
        FrameKey(run: run, step: step, split: split)
    }

    /// Admits `steps` of `bytes` each as saved frames; returns what each admission said.
    @discardableResult
    func admit(_ b: inout FrameBacklog, _ steps: some Sequence<Int64>, bytes: Int = 100, run: String = "r") -> [FrameBacklog.Admission] {
        steps.map { step in
            let a = b.admit(key(step, run: run), bytes: bytes, frame: nil)
            b.setSaving(key(step, run: run), false, saved: true)
            return a
        }
    }

    @Test func framesAreHandedOutInStepOrderAFewAtATime() {
        var b = FrameBacklog(maxBytes: 1 << 30, maxBytesPerRun: 1 << 30, framesInMemoryPerRun: 2)
        admit(&b, [3, 1, 2, 5, 4])
        b.admit(key(2, split: .validation), bytes: 100, frame: nil)
        #expect(b.takeNext(run: "r")?.key == key(1))
        #expect(b.takeNext(run: "r")?.key == key(2))
        #expect(b.takeNext(run: "r") == nil, "two are handed out")
        b.finish(key(1), estimated: true)
        #expect(b.takeNext(run: "r")?.key == key(2, split: .validation), "a step's splits in order")
        b.finish(key(2), estimated: true)
        b.finish(key(2, split: .validation), estimated: true)
        #expect(b.takeNext(run: "r")?.key == key(3))
        #expect(b.lag["r"] == EstimationLag(newestReceivedStep: 5, newestEstimatedStep: 2, steps: 3, framesWaiting: 3,
                                           bytesWaiting: 300, thinningStride: 1))
    }

    @Test func aFrameStillSavingHoldsBackTheOnesAfterIt() {
        var b = FrameBacklog(maxBytes: 1 << 30, maxBytesPerRun: 1 << 30, framesInMemoryPerRun: 4)
        b.admit(key(1), bytes: 10, frame: nil)
        b.setSaving(key(1), true)
        admit(&b, [2])
        #expect(b.takeNext(run: "r") == nil)
        b.setSaving(key(1), false, saved: true)
        #expect(b.takeNext(run: "r")?.key == key(1))
        #expect(b.takeNext(run: "r")?.key == key(2))
    }

    @Test func overTheRunsBudgetTheWaitingFramesAreThinnedByAStepGrid() {
        // Room for 10 frames of 100 bytes.
        var b = FrameBacklog(maxBytes: 1 << 30, maxBytesPerRun: 1000, framesInMemoryPerRun: 1)
        let first = admit(&b, 0..<10)
        #expect(first.allSatisfy { $0 == .admitted(thinned: [], newStride: nil) })
        // Step 10 does not fit: stride 2 removes the odd steps waiting, step 10 is on the grid.
        let a = b.admit(key(10), bytes: 100, frame: nil)
        #expect(a == .admitted(thinned: [1, 3, 5, 7, 9].map { key($0) }, newStride: 2))
        // Off the grid now: refused without thinning.
        #expect(b.admit(key(11), bytes: 100, frame: nil) == .refused(thinned: [], stride: 2))
        admit(&b, [12, 14, 16, 18])
        #expect(b.runs["r"]!.bytes == 1000)
        // The next even step does not fit: stride 4.
        let c = b.admit(key(20), bytes: 100, frame: nil)
        #expect(c == .admitted(thinned: [2, 6, 10, 14, 18].map { key($0) }, newStride: 4))
        #expect(b.runs["r"]!.entries.map(\.key.step) == [0, 4, 8, 12, 16, 20])
        #expect(b.lag["r"]?.thinningStride == 4)
    }

    @Test func theGridDependsOnTheStepsNotOnWhenFramesCame() {
        // Two backlogs fed the same steps; one hands a frame out between admissions.
        var a = FrameBacklog(maxBytes: 1 << 30, maxBytesPerRun: 500, framesInMemoryPerRun: 1)
        var b = a
        admit(&a, 0..<20)
        admit(&b, 0..<3)
        _ = b.takeNext(run: "r")  // step 0 is being estimated: not thinnable, still counted
        admit(&b, 3..<20)
        let kept = Set(a.runs["r"]!.entries.map(\.key.step))
        let keptB = Set(b.runs["r"]!.entries.map(\.key.step)).union([0])
        #expect(kept.allSatisfy { $0 % a.runs["r"]!.stride == 0 })
        #expect(keptB.allSatisfy { $0 % b.runs["r"]!.stride == 0 })
        #expect(kept == keptB)
    }

    @Test func theTotalBudgetIsSharedAndTheStrideResetsWhenTheRunCatchesUp() {
        var b = FrameBacklog(maxBytes: 400, maxBytesPerRun: 400, framesInMemoryPerRun: 1)
        admit(&b, [0, 1], run: "a")
        admit(&b, [0, 1], run: "b")
        // Run b's step 2 does not fit in the total: b is thinned (stride 2, step 1 removed).
        #expect(b.admit(key(2, run: "b"), bytes: 100, frame: nil) == .admitted(thinned: [key(1, run: "b")], newStride: 2))
        #expect(b.totalBytes == 400)
        for step: Int64 in [0, 2] {
            _ = b.takeNext(run: "b")
            let reset = b.finish(key(step, run: "b"), estimated: true)
            #expect(reset == (step == 2), "the stride is back to 1 once the run's backlog is empty")
        }
        #expect(b.lag["b"]?.thinningStride == 1 && b.lag["b"]?.steps == 0)
        #expect(b.admit(key(3, run: "b"), bytes: 100, frame: nil) == .admitted(thinned: [], newStride: nil))
    }

    @Test func aFrameLargerThanTheBudgetIsRefused() {
        var b = FrameBacklog(maxBytes: 1000, maxBytesPerRun: 1000, framesInMemoryPerRun: 1)
        #expect(b.admit(key(0), bytes: 1001, frame: nil) == .refused(thinned: [], stride: 1))
        #expect(b.isEmpty)
    }

    @Test func inMemoryCopiesBeyondTheHoldAreLetGoOnceSaved() {
        var b = FrameBacklog(maxBytes: 1 << 30, maxBytesPerRun: 1 << 30, framesInMemoryPerRun: 2)
        let frame = ProbeFrame(key: key(0), epoch: 0, sampleIDs: [0], layers: [], partial: false)
        for step in Int64(0)..<4 { b.admit(key(step), bytes: 10, frame: frame) }
        b.setSaving(key(0), false, saved: true)
        b.setSaving(key(1), false, saved: true)
        b.setSaving(key(2), false, saved: true)
        b.releaseMemory(run: "r")
        // Steps 0 and 1 stay in memory (the hold); step 2 is saved and let go; step 3 is
        // not saved, so it stays.
        #expect(b.runs["r"]!.entries.map { $0.frame != nil } == [true, true, false, true])
    }
}
