import Testing
@testable import InfoplaneMonitor

/// Builds snapshots of a frame whose every value encodes (layer, sample id, column), so a
/// test can check each row landed at the right place after alignment.
struct FrameFactory {
    var run = "r"
    var step: Int64 = 10
    var split: ProbeSplit = .train
    var layerCount = 3

    static func value(layer: Int, id: Int64, column: Int) -> Float {
        Float(layer * 100_000 + Int(id) * 10 + column)
    }

    func snapshot(_ layer: String, index: Int, role: LayerRole = .hidden, ids: [Int64], columns: Int = 2,
                  chunk: Int = 0, of chunks: Int = 1, step: Int64? = nil, layerCount: Int? = nil) -> ProbeSnapshot {
        let values: SnapshotValues
        if role == .label {
            values = .integers(ids.map { $0 % 3 })
        } else {
            values = .floats(ids.flatMap { id in (0..<columns).map { Self.value(layer: index, id: id, column: $0) } })
        }
        return ProbeSnapshot(run: run, step: step ?? self.step, epoch: 1, split: split, layer: layer, role: role,
                             sampleIDs: ids, columns: role == .label ? 1 : columns, values: values,
                             chunkIndex: chunk, chunkCount: chunks, frameLayerCount: layerCount ?? self.layerCount)
    }
}

@Suite struct ProbeFrameAssemblerTests {
    let f = FrameFactory()

    func completed(_ events: [AssemblyEvent]) -> [ProbeFrame] {
        events.compactMap { if case .completed(let frame) = $0 { frame } else { nil } }
    }

    /// Checks every layer's row i holds the values of sample sampleIDs[i].
    func expectAligned(_ frame: ProbeFrame, layerIndex: [String: Int]) {
        for layer in frame.layers where layer.role != .label {
            guard case .floats(let v) = layer.values, let index = layerIndex[layer.name] else {
                Issue.record("layer \(layer.name) not float or unknown"); continue
            }
            for (row, id) in frame.sampleIDs.enumerated() {
                for c in 0..<layer.columns {
                    #expect(v[row * layer.columns + c] == FrameFactory.value(layer: index, id: id, column: c))
                }
            }
        }
        if let labels = frame.labels {
            #expect(labels.classLabels() == frame.sampleIDs.map { $0 % 3 })
        }
    }

    @Test func chunksOutOfOrderCompleteTheFrame() throws {
        var a = ProbeFrameAssembler()
        let ids: [Int64] = Array(0..<9)
        var events: [AssemblyEvent] = []
        // Layer T in 3 chunks, sent 2, 0, 1; X and Y whole; interleaved.
        events += try a.accept(f.snapshot("T", index: 2, ids: Array(ids[6..<9]), chunk: 2, of: 3), now: .seconds(0))
        events += try a.accept(f.snapshot("X", index: 1, role: .input, ids: ids), now: .seconds(0))
        events += try a.accept(f.snapshot("T", index: 2, ids: Array(ids[0..<3]), chunk: 0, of: 3), now: .seconds(0))
        #expect(events.isEmpty)
        events += try a.accept(f.snapshot("Y", index: 3, role: .label, ids: ids), now: .seconds(0))
        #expect(events.isEmpty)
        events += try a.accept(f.snapshot("T", index: 2, ids: Array(ids[3..<6]), chunk: 1, of: 3), now: .seconds(0))
        let frames = completed(events)
        #expect(frames.count == 1)
        let frame = try #require(frames.first)
        #expect(frame.sampleIDs == ids)
        #expect(!frame.partial)
        #expect(frame.layers.map(\.name) == ["T", "X", "Y"])
        expectAligned(frame, layerIndex: ["X": 1, "T": 2])
        #expect(a.framesInFlight == 0)
        #expect(a.counters.framesCompleted == 1)
        #expect(a.counters.chunksAccepted == 5)
    }

    @Test func permutedIDsBetweenLayersAreAligned() throws {
        var a = ProbeFrameAssembler()
        let ids: [Int64] = [40, 7, 13, 99, 2, 58]
        var events = try a.accept(f.snapshot("X", index: 1, role: .input, ids: ids), now: .seconds(0))
        events += try a.accept(f.snapshot("Y", index: 3, role: .label, ids: ids.reversed()), now: .seconds(0))
        // T in two chunks, each with its own permutation of a disjoint half.
        events += try a.accept(f.snapshot("T", index: 2, ids: [58, 13, 40], chunk: 1, of: 2), now: .seconds(0))
        events += try a.accept(f.snapshot("T", index: 2, ids: [2, 99, 7], chunk: 0, of: 2), now: .seconds(0))
        let frame = try #require(completed(events).first)
        #expect(frame.sampleIDs == ids.sorted())
        expectAligned(frame, layerIndex: ["X": 1, "T": 2])
    }

    @Test func identicalDuplicateChunkIsIgnored() throws {
        var a = ProbeFrameAssembler()
        let chunk = f.snapshot("T", index: 2, ids: [0, 1], chunk: 0, of: 2)
        _ = try a.accept(chunk, now: .seconds(0))
        let again = try a.accept(chunk, now: .seconds(1))
        #expect(again.isEmpty)
        #expect(a.counters.chunksDuplicate == 1)
        #expect(a.counters.chunksAccepted == 1)
        _ = try a.accept(f.snapshot("T", index: 2, ids: [2, 3], chunk: 1, of: 2), now: .seconds(1))
        _ = try a.accept(f.snapshot("X", index: 1, role: .input, ids: [0, 1, 2, 3]), now: .seconds(1))
        let done = try a.accept(f.snapshot("Y", index: 3, role: .label, ids: [3, 2, 1, 0]), now: .seconds(1))
        let frame = try #require(completed(done).first)
        #expect(frame.sampleIDs == [0, 1, 2, 3])
        // A duplicate of a chunk of the finished frame is late, ignored, and starts nothing.
        #expect(try a.accept(chunk, now: .seconds(2)).isEmpty)
        #expect(a.counters.chunksLate == 1)
        #expect(a.framesInFlight == 0)
    }

    @Test func duplicateChunkWithDifferentContentsIsRefused() throws {
        var a = ProbeFrameAssembler()
        _ = try a.accept(f.snapshot("T", index: 2, ids: [0, 1], chunk: 0, of: 2), now: .seconds(0))
        let changed = f.snapshot("T", index: 5, ids: [0, 1], chunk: 0, of: 2)
        #expect(throws: SnapshotRejection.self) { try a.accept(changed, now: .seconds(0)) }
        do {
            _ = try a.accept(changed, now: .seconds(0))
        } catch {
            #expect(error.reason == .badChunk)
        }
        // Rows repeated across two different chunks of one layer are refused too.
        let overlapping = f.snapshot("T", index: 2, ids: [1, 2], chunk: 1, of: 2)
        #expect(throws: SnapshotRejection(.badChunk, "sample id 1 of layer T at step 10 (train) appears in chunks 0 and 1; the chunks of a layer must hold disjoint rows")) {
            try a.accept(overlapping, now: .seconds(0))
        }
        #expect(a.counters.chunksRejected == 3)
    }

    @Test(arguments: [IncompleteFramePolicy.estimatePartial, .drop])
    func missingChunkTimesOut(policy: IncompleteFramePolicy) throws {
        var a = ProbeFrameAssembler(configuration: with(AssemblyConfiguration()) {
            $0.frameTimeoutSeconds = 5
            $0.incompletePolicy = policy
        })
        let ids: [Int64] = Array(0..<6)
        _ = try a.accept(f.snapshot("X", index: 1, role: .input, ids: ids), now: .seconds(0))
        _ = try a.accept(f.snapshot("Y", index: 3, role: .label, ids: ids), now: .seconds(0))
        _ = try a.accept(f.snapshot("T", index: 2, ids: [0, 1, 2], chunk: 0, of: 2), now: .seconds(1))
        // Chunk 1 of T never comes.
        #expect(a.expire(now: .seconds(5.5)).isEmpty, "a frame active 4.5 s ago has not timed out")
        let events = a.expire(now: .seconds(6.5))
        #expect(events.count == 1)
        #expect(a.framesInFlight == 0)
        switch (policy, events.first) {
        case (.estimatePartial, .partial(let frame)):
            #expect(frame.partial)
            #expect(frame.sampleIDs == [0, 1, 2])
            #expect(frame.layer(named: "T")?.complete == false)
            #expect(frame.layer(named: "X")?.complete == true)
            expectAligned(frame, layerIndex: ["X": 1, "T": 2])
            #expect(a.counters.framesPartial == 1)
        case (.drop, .dropped(let key, .timeout)):
            #expect(key == FrameKey(run: "r", step: 10, split: .train))
            #expect(a.counters.framesDroppedTimeout == 1)
        default:
            Issue.record("unexpected \(String(describing: events.first)) for \(policy)")
        }
        // The missing chunk arriving after the timeout is late.
        #expect(try a.accept(f.snapshot("T", index: 2, ids: [3, 4, 5], chunk: 1, of: 2), now: .seconds(7)).isEmpty)
        #expect(a.counters.chunksLate == 1)
    }

    @Test func mismatchedIDsAreRefusedAsMisaligned() throws {
        var a = ProbeFrameAssembler()
        var f = self.f
        f.layerCount = 4
        _ = try a.accept(f.snapshot("X", index: 1, role: .input, ids: [0, 1, 2, 3]), now: .seconds(0))
        // A chunk with an id outside the frame's is refused at once.
        #expect {
            try a.accept(f.snapshot("T", index: 2, ids: [2, 3, 4], chunk: 0, of: 1), now: .seconds(0))
        } throws: { error in
            (error as? SnapshotRejection)?.reason == .frameMisaligned
        }
        // A layer that comes whole with fewer ids is left out of the frame and refused.
        _ = try a.accept(f.snapshot("T", index: 2, ids: [0, 1], chunk: 0, of: 2), now: .seconds(0))
        #expect {
            try a.accept(f.snapshot("T", index: 2, ids: [2], chunk: 1, of: 2), now: .seconds(0))
        } throws: { error in
            (error as? SnapshotRejection)?.reason == .frameMisaligned
        }
        #expect(a.counters.layersMisaligned == 1)
        // Later chunks of the discarded layer are refused with the same reason.
        #expect(throws: SnapshotRejection.self) {
            try a.accept(f.snapshot("T", index: 2, ids: [3], chunk: 1, of: 2), now: .seconds(0))
        }
        // The frame can still finish partially on the layers that are aligned.
        _ = try a.accept(f.snapshot("Y", index: 3, role: .label, ids: [3, 2, 1, 0]), now: .seconds(0))
        _ = try a.accept(f.snapshot("U", index: 4, ids: [0, 1, 2, 3]), now: .seconds(0))
        let events = a.expire(now: .seconds(100))
        guard case .partial(let frame) = events.first else { Issue.record("expected partial, got \(events)"); return }
        #expect(frame.layers.map(\.name) == ["X", "Y", "U"])
        #expect(frame.sampleIDs == [0, 1, 2, 3])
    }

    @Test func layerWithForeignIDsBeforeTheReferenceIsDiscarded() throws {
        var a = ProbeFrameAssembler()
        _ = try a.accept(f.snapshot("T", index: 2, ids: [7, 8], chunk: 0, of: 2), now: .seconds(0))
        _ = try a.accept(f.snapshot("X", index: 1, role: .input, ids: [0, 1, 2, 3]), now: .seconds(0))
        #expect(a.counters.layersMisaligned == 1)
        #expect {
            try a.accept(f.snapshot("T", index: 2, ids: [0, 1], chunk: 1, of: 2), now: .seconds(0))
        } throws: { error in
            (error as? SnapshotRejection)?.reason == .frameMisaligned
        }
    }

    @Test func unknownLayerCountCompletesWhenTheNextStepStarts() throws {
        var g = f
        g.layerCount = 0
        var a = ProbeFrameAssembler()
        _ = try a.accept(g.snapshot("X", index: 1, role: .input, ids: [0, 1]), now: .seconds(0))
        _ = try a.accept(g.snapshot("T", index: 2, ids: [1, 0]), now: .seconds(0))
        #expect(a.framesInFlight == 1)
        // Another split's next step does not finish it; the same split's does.
        var v = g
        v.split = .validation
        #expect(try a.accept(v.snapshot("X", index: 1, role: .input, ids: [0, 1], step: 20), now: .seconds(0)).isEmpty)
        let events = try a.accept(g.snapshot("X", index: 1, role: .input, ids: [0, 1], step: 20), now: .seconds(0))
        let frame = try #require(completed(events).first)
        #expect(frame.key.step == 10)
        #expect(!frame.partial)
        expectAligned(frame, layerIndex: ["X": 1, "T": 2])
        // Quiet past the timeout with present layers whole: completed, not partial.
        let quiet = a.expire(now: .seconds(1000))
        #expect(quiet.count == 2)
        #expect(completed(quiet).count == 2)
    }

    @Test func layerBeyondTheAnnouncedCountIsRefused() throws {
        var a = ProbeFrameAssembler()
        _ = try a.accept(f.snapshot("X", index: 1, role: .input, ids: [0, 1], chunk: 0, of: 1), now: .seconds(0))
        _ = try a.accept(f.snapshot("T", index: 2, ids: [0, 1], chunk: 0, of: 2), now: .seconds(0))
        _ = try a.accept(f.snapshot("U", index: 4, ids: [0, 1]), now: .seconds(0))
        #expect {
            try a.accept(f.snapshot("V", index: 5, ids: [0, 1]), now: .seconds(0))
        } throws: { error in
            (error as? SnapshotRejection)?.reason == .badChunk
        }
    }

    @Test func framesInFlightPerRunAreBounded() throws {
        var a = ProbeFrameAssembler(configuration: with(AssemblyConfiguration()) { $0.maxFramesInFlightPerRun = 3 })
        var dropped: [FrameKey] = []
        for step in Int64(1)...10 {
            let events = try a.accept(f.snapshot("T", index: 2, ids: [0, 1], chunk: 0, of: 2, step: step), now: .seconds(0))
            for case .dropped(let key, .assemblyLimit) in events { dropped.append(key) }
            #expect(a.framesInFlight(run: "r") <= 3)
        }
        // Another run has its own bound.
        var other = f
        other.run = "s"
        _ = try a.accept(other.snapshot("T", index: 2, ids: [0, 1], chunk: 0, of: 2), now: .seconds(0))
        #expect(a.framesInFlight(run: "s") == 1)
        #expect(dropped.map(\.step) == Array(1...7))
        #expect(a.pendingKeys.filter { $0.run == "r" }.map(\.step) == [8, 9, 10])
        #expect(a.counters.framesDroppedAssemblyLimit == 7)
        #expect(a.valuesInFlight == 4 * 2 * 2)
    }

    @Test func flushFinishesARunsFrames() throws {
        var a = ProbeFrameAssembler()
        _ = try a.accept(f.snapshot("X", index: 1, role: .input, ids: [0, 1]), now: .seconds(0))
        _ = try a.accept(f.snapshot("T", index: 2, ids: [0, 1]), now: .seconds(0))
        var other = f
        other.run = "s"
        _ = try a.accept(other.snapshot("T", index: 2, ids: [0, 1]), now: .seconds(0))
        let events = a.flush(run: "r")
        guard case .partial(let frame) = events.first else { Issue.record("expected a partial frame, got \(events)"); return }
        #expect(frame.key.run == "r")
        #expect(frame.labels == nil)
        #expect(a.framesInFlight == 1)
    }

    /// A frame that never completes cannot hold more than its run's budget of values, and
    /// all runs together no more than the total; what finishes gives its memory back.
    @Test func framesBeingAssembledStayWithinTheirMemoryBudget() throws {
        // 2 ids x 2 columns = 4 values = 16 bytes a chunk; 64 bytes a run, 96 in all.
        var a = ProbeFrameAssembler(configuration: with(AssemblyConfiguration()) {
            $0.maxAssemblingBytesPerRun = 64
            $0.maxAssemblingBytes = 96
        })
        for chunk in 0..<4 {
            _ = try a.accept(f.snapshot("T", index: 2, ids: [Int64(2 * chunk), Int64(2 * chunk + 1)], chunk: chunk, of: 48), now: .seconds(0))
        }
        #expect(a.valuesInFlight == 16)
        #expect {
            try a.accept(f.snapshot("T", index: 2, ids: [8, 9], chunk: 4, of: 48), now: .seconds(0))
        } throws: { error in
            (error as? SnapshotRejection)?.reason == .memoryBudgetExceeded
                && "\(error)".contains("max_assembling_bytes_per_run") && "\(error)".contains("\"r\"")
        }
        var other = f
        other.run = "s"
        _ = try a.accept(other.snapshot("T", index: 2, ids: [0, 1], chunk: 0, of: 2), now: .seconds(0))
        _ = try a.accept(other.snapshot("T", index: 2, ids: [2, 3], chunk: 0, of: 2, step: 11), now: .seconds(0))
        #expect {
            try a.accept(other.snapshot("T", index: 2, ids: [4, 5], chunk: 0, of: 2, step: 12), now: .seconds(0))
        } throws: { error in
            (error as? SnapshotRejection)?.reason == .memoryBudgetExceeded && "\(error)".contains("all runs")
        }
        #expect(a.valuesInFlight == 24, "a refused chunk holds nothing")
        _ = a.flushAll()
        #expect(a.valuesInFlight == 0)
        _ = try a.accept(f.snapshot("T", index: 2, ids: [0, 1], chunk: 0, of: 48, step: 20), now: .seconds(0))
        #expect(a.valuesInFlight == 4, "the budget is free again once the frames are finished")
    }

    @Test func oneHotLabelsBecomeClasses() {
        let layer = FrameLayer(name: "Y", role: .label, columns: 3, values: .floats([0, 1, 0, 1, 0, 0, 0, 0, 1]))
        #expect(layer.classLabels() == [1, 0, 2])
        let scalar = FrameLayer(name: "Y", role: .label, columns: 1, values: .floats([0, 2, 1]))
        #expect(scalar.classLabels() == [0, 2, 1])
    }
}
