import Foundation
import Logging
import Synchronization
import Testing
import InfoplaneEstimators
import class InfoplaneTestSupport.DedicatedExecutor
import class InfoplaneTestSupport.ManualClock
@testable import InfoplaneMonitor

/// Frames with many layers (issue 13, item 5): assembly stays correct when every frame has
/// thousands of layers, the pool is fair between runs, what is stored does not depend on
/// the interleaving, and a graceful shutdown is bounded by its grace.
@Suite struct ManyLayersTests {
    /// Warnings and above: thousands of layers would log thousands of "basis fitted" lines.
    let logger: Logger = {
        var logger = Logger(label: "test.many-layers")
        logger.logLevel = .warning
        return logger
    }()

    // MARK: - Assembly

    /// Snapshots of one frame: X, Y and `hidden` hidden layers of `rows` × 2, each in
    /// `chunks` chunks; `announce` false sends layer count 0 (unknown).
    func manyLayerSnapshots(run: String = "r", step: Int64 = 1, hidden: Int, rows: Int = 8, chunks: Int = 1,
                            announce: Bool = true) -> [ProbeSnapshot] {
        let count = announce ? hidden + 2 : 0
        let ids = (0..<Int64(rows)).map { $0 * 5 + 2 }
        let size = (rows + chunks - 1) / chunks
        var out: [ProbeSnapshot] = []
        func add(_ name: String, _ role: LayerRole, _ columns: Int, _ part: Int, _ value: (Int64, Int) -> Float) {
            let mine = Array(ids[(part * size)..<min(rows, (part + 1) * size)])
            out.append(ProbeSnapshot(run: run, step: step, epoch: 0, split: .train, layer: name, role: role, sampleIDs: mine,
                                     columns: columns, values: .floats(mine.flatMap { id in (0..<columns).map { value(id, $0) } }),
                                     chunkIndex: part, chunkCount: chunks, frameLayerCount: count))
        }
        // Chunk by chunk across the layers: every layer is present long before any is whole.
        for part in 0..<chunks {
            add("x", .input, 2, part) { id, c in Float(id) + Float(c) }
            add("y", .label, 1, part) { id, _ in Float(id % 2) }
            for layer in 0..<hidden { add("l\(layer)", .hidden, 2, part) { id, c in Float(layer) + Float(id) * 0.01 + Float(c) } }
        }
        return out
    }

    @Test(arguments: [true, false])
    func aFrameOfThousandsOfChunkedLayersCompletesOnceWithEveryLayer(announce: Bool) throws {
        var assembler = ProbeFrameAssembler()
        let hidden = 3000
        var events: [AssemblyEvent] = []
        for snapshot in manyLayerSnapshots(hidden: hidden, chunks: 3, announce: announce) {
            events += try assembler.accept(snapshot, now: .seconds(0))
        }
        if !announce {
            #expect(events.isEmpty)
            // With the count unknown, the next step completes it.
            events += try assembler.accept(manyLayerSnapshots(step: 2, hidden: 0, announce: false)[0], now: .seconds(1))
        }
        #expect(events.count == 1)
        guard case .completed(let frame) = events.first else {
            Issue.record("expected a completed frame, got \(events)")
            return
        }
        #expect(frame.layers.count == hidden + 2)
        #expect(frame.rows == 8)
        #expect(frame.layers.map(\.name).prefix(3) == ["x", "y", "l0"])
        var expected: [Float] = []
        for i in Int64(0)..<8 {
            for c in 0..<2 { expected.append(Float(2999) + Float(i * 5 + 2) * 0.01 + Float(c)) }
        }
        #expect(frame.layer(named: "l2999")?.values == .floats(expected))
        // Unknown count: the next step's first snapshot (X, 8 × 2) started a frame.
        #expect(assembler.counters.chunksAccepted == (hidden + 2) * 3 + (announce ? 0 : 1))
        #expect(assembler.valuesInFlight == (announce ? 0 : 16))
    }

    @Test func misalignedLayersAmongManyKeepTheCountsRight() throws {
        var assembler = ProbeFrameAssembler()
        var snapshots = manyLayerSnapshots(hidden: 200, chunks: 2)
        // l9's first chunk holds an id no other layer has: discarded when x, whole first,
        // fixes the frame's ids; its second chunk is refused.
        let l9 = snapshots.firstIndex { $0.layer == "l9" }!
        snapshots[l9].sampleIDs[0] = 9999
        // l7 comes whole with 7 ids of 8: discarded as it completes, that chunk refused.
        let l7 = snapshots.lastIndex { $0.layer == "l7" }!
        snapshots[l7].sampleIDs = Array(snapshots[l7].sampleIDs.prefix(3))
        if case .floats(let v) = snapshots[l7].values { snapshots[l7].values = .floats(Array(v.prefix(6))) }
        var events: [AssemblyEvent] = []
        var refused = 0
        for snapshot in snapshots {
            do { events += try assembler.accept(snapshot, now: .seconds(0)) } catch { refused += 1 }
        }
        #expect(refused == 2)
        #expect(assembler.counters.layersMisaligned == 2)
        // 202 layers present, 200 whole: not complete.
        #expect(events.isEmpty)
        #expect(assembler.valuesInFlight == 8 * 2 + 8 + 198 * 8 * 2)
        // At the timeout it is estimated as a partial frame without l7 and l9, on every row.
        let expired = assembler.expire(now: .seconds(100))
        guard case .partial(let frame) = expired.first else {
            Issue.record("expected a partial frame, got \(expired)")
            return
        }
        #expect(frame.layers.count == 200)
        #expect(frame.layer(named: "l7") == nil && frame.layer(named: "l9") == nil)
        #expect(frame.rows == 8)
    }

    // MARK: - Scheduler

    func frame(run: String, step: Int64, hidden: Int) -> ProbeFrame {
        var layers = [FrameLayer(name: "x", role: .input, columns: 1, values: .floats([0, 1])),
                      FrameLayer(name: "y", role: .label, columns: 1, values: .integers([0, 1]))]
        for i in 0..<hidden { layers.append(FrameLayer(name: "h\(i)", role: .hidden, columns: 1, values: .floats([1, 0]))) }
        return ProbeFrame(key: FrameKey(run: run, step: step, split: .train), epoch: 0, sampleIDs: [0, 1], layers: layers, partial: false)
    }

    func prepared(_ name: String) throws -> PreparedLayer {
        let m = try Matrix(rows: 2, columns: 1, storage: [0, 1])
        return PreparedLayer(name: name, role: .hidden, raw: m, compressed: m, observedRange: 0...1, binRange: 0...1,
                             projection: .identity(width: 1, step: 0), fittedHere: false)
    }

    func complete(_ s: inout EstimationScheduler, _ item: WorkItem) throws {
        // A job abandoned meanwhile has no key any more: any will do, the result is ignored.
        let key = s.jobs[item.job]?.frame.key ?? FrameKey(run: "gone", step: 0, split: .train)
        switch item.kind {
        case .prepare(let layer): s.completePreparation(item, result: try prepared(layer))
        case let .estimate(layer, estimator):
            s.completeEstimate(item, point: SeriesPoint(series: SeriesID(run: key.run, layer: layer, split: key.split, metric: estimator.metric, estimator: estimator.estimator),
                step: key.step, value: 1, unit: .bits, sampleCount: 2, dimension: 1, seconds: 0))
        case .binningPair:
            s.completeEstimates(item, points: [])
        }
    }

    @Test func runsTakeTurnsItemByItem() throws {
        var s = EstimationScheduler()
        let settings = RunSettings(estimation: EstimationConfiguration(estimators: [.diffusionSpectralEntropy]))
        s.enqueue(frame(run: "big", step: 1, hidden: 500), settings: settings, now: .seconds(0))
        s.enqueue(frame(run: "small", step: 1, hidden: 2), settings: settings, now: .seconds(0))
        s.enqueue(frame(run: "small", step: 2, hidden: 2), settings: settings, now: .seconds(0))
        var runs: [String] = []
        var finished: [FrameKey] = []
        while let item = s.next() {
            runs.append(s.jobs[item.job]!.frame.key.run)
            try complete(&s, item)
            finished += s.takeFinished().map(\.key)
        }
        // One worker: the small run's 8 items (2 frames × (2 prepare + 2 DSE)) alternate with
        // the big frame's, so both its frames are done after 16 items of 1,008.
        #expect(runs.count == 500 * 2 + 8)
        #expect(Array(runs.prefix(16)) == Array(repeating: ["big", "small"], count: 8).flatMap { $0 })
        #expect(finished.map(\.run) == ["small", "small", "big"])
        #expect(finished.map(\.step) == [1, 2, 1])
        #expect(s.isIdle)
    }

    @Test func aRunsFramesAreHandedBackInOrderAndALayerIsPreparedByOneFrameAtATime() throws {
        var s = EstimationScheduler()
        let settings = RunSettings(estimation: EstimationConfiguration(estimators: [.diffusionSpectralEntropy]))
        s.enqueue(frame(run: "r", step: 1, hidden: 1), settings: settings, now: .seconds(0))
        s.enqueue(frame(run: "r", step: 2, hidden: 1), settings: settings, now: .seconds(0))
        // Two workers: frame 1's preparation of h0 runs; frame 2's waits for it.
        let next1 = s.next()
        let first = try #require(next1)
        #expect(first.job == 1 && first.kind == .prepare(layer: "h0"))
        #expect(s.next() == nil)
        try complete(&s, first)
        let next2 = s.next()
        let estimate1 = try #require(next2)
        #expect(estimate1.job == 1)
        let next3 = s.next()
        let prepare2 = try #require(next3)
        #expect(prepare2.job == 2 && prepare2.kind == .prepare(layer: "h0"))
        try complete(&s, prepare2)
        let next4 = s.next()
        let estimate2 = try #require(next4)
        #expect(estimate2.job == 2)
        // Frame 2 finishes first; it is held until frame 1 is done.
        try complete(&s, estimate2)
        #expect(s.takeFinished().isEmpty)
        try complete(&s, estimate1)
        #expect(s.takeFinished().map(\.key.step) == [1, 2])
    }

    @Test func abandonStopsEverythingAndHandsBackWhatIsDone() throws {
        var s = EstimationScheduler()
        let settings = RunSettings(estimation: EstimationConfiguration(estimators: [.diffusionSpectralEntropy]))
        s.enqueue(frame(run: "a", step: 1, hidden: 10), settings: settings, now: .seconds(0))
        s.enqueue(frame(run: "a", step: 2, hidden: 10), settings: settings, now: .seconds(0))
        // Prepare frame 1's 10 layers, estimate 3 of them; hand out a 4th and keep it running.
        for _ in 0..<13 {
            let item = s.next()
            try complete(&s, try #require(item))
        }
        let next = s.next()
        let running = try #require(next)
        let abandoned = s.abandon()
        #expect(abandoned.waitingFrames.map(\.step) == [2])
        #expect(abandoned.activeFrames.map(\.step) == [1])
        #expect(abandoned.itemsNotRun == 6)
        #expect(abandoned.itemsRunning == 1)
        #expect(abandoned.layersNotEstimated == 7)
        let back = s.takeFinished()
        #expect(back.count == 1)
        #expect(back.first?.interrupted == true)
        #expect(back.first?.points.map(\.layer) == ["h0", "h1", "h2"])
        #expect(s.isIdle)
        // The running item's result, when it comes, is ignored.
        try complete(&s, running)
        #expect(s.takeFinished().isEmpty)
        #expect(s.next() == nil)
    }

    // MARK: - Pipeline

    func pipeline(_ configuration: MonitorConfiguration, store: InMemorySeriesStore, clock: any Clock<Duration> = ContinuousClock(),
                  estimators: any LayerEstimating) -> MonitorPipeline {
        MonitorPipeline(configuration: configuration, store: store, logger: logger, clock: clock, estimators: estimators)
    }

    /// `workers` estimation workers (DSE only unless `estimators` says otherwise) with a
    /// shutdown grace of `grace` seconds; `queued` frames of a run in memory and no compression when given.
    func configuration(workers: Int = 1, grace: Double, queued: Int? = nil, uncompressed: Bool = false,
                       estimators: [PipelineEstimate]? = [.diffusionSpectralEntropy]) -> MonitorConfiguration {
        var configuration = MonitorConfiguration()
        configuration.scheduler.workers = workers
        configuration.scheduler.shutdownGraceSeconds = grace
        if let queued { configuration.scheduler.framesInMemoryPerRun = queued }
        if uncompressed { configuration.compression.method = .none }
        if let estimators { configuration.estimation.estimators = estimators }
        return configuration
    }

    @Test func anotherRunsFramesAreStoredWhileAFrameOfManyLayersIsEstimated() async throws {
        let store = InMemorySeriesStore()
        let configuration = self.configuration(grace: .infinity, queued: 10, uncompressed: true)
        // The big run's estimates wait until the small run's frames are all queued: the big
        // frame cannot be done first because the small frames came late.
        let estimators = SlowEstimators(seconds: 0.001, heldRun: "big")
        let p = pipeline(configuration, store: store, estimators: estimators)
        let worker = Task { await p.run() }
        _ = try await p.runStarted(RunDescriptor(name: "big", clientName: "test"))
        _ = try await p.runStarted(RunDescriptor(name: "small", clientName: "test"))
        for snapshot in manyLayerSnapshots(run: "big", hidden: 600) { try await p.accept(snapshot) }
        for step in Int64(1)...3 {
            for snapshot in SyntheticFrame(run: "small", step: step).snapshots() { try await p.accept(snapshot) }
        }
        estimators.release()
        await p.finish()
        await worker.value
        let runs = await store.frames.map { $0.first?.run ?? "" }
        // Every frame of the small run was stored before the big frame was done.
        #expect(runs == ["small", "small", "small", "big"])
        let last = await store.frames.last ?? []
        #expect(last.count { $0.metric != Metric.kernelSigma } == 600)
        #expect(await p.counterSnapshot().framesEstimated == 4)
    }

    /// The points of two runs estimated together on two workers (interleaved, in whatever
    /// order the machine gives) equal those of each run alone on one worker.
    @Test func storedPointsDoNotDependOnTheInterleaving() async throws {
        func points(runs: [String], workers: Int) async throws -> [String: [String]] {
            let store = InMemorySeriesStore()
            let configuration = self.configuration(workers: workers, grace: .infinity, queued: 10, estimators: nil)
            let p = pipeline(configuration, store: store, estimators: StandardLayerEstimators())
            let worker = Task { await p.run() }
            for run in runs { _ = try await p.runStarted(RunDescriptor(name: run, clientName: "test")) }
            for step in Int64(1)...4 {
                for run in runs {
                    var frame = SyntheticFrame(run: run, step: step, layerWidths: [16, 8, 4, 3, 2])
                    frame.seed = run == "a" ? 1 : 2
                    frame.scale = Float(step)  // the running bin range grows frame after frame
                    for snapshot in frame.snapshots() { try await p.accept(snapshot) }
                }
            }
            await p.finish()
            await worker.value
            var out: [String: [String]] = [:]
            for frame in await store.frames {
                for point in frame {
                    out[point.run, default: []].append("\(point.step) \(point.layer) \(point.metric) \(point.estimator) \(point.value) \(point.sampleCount) \(point.dimension)")
                }
            }
            return out
        }
        let alone = try await points(runs: ["a"], workers: 1).merging(try await points(runs: ["b"], workers: 1)) { x, _ in x }
        for _ in 0..<2 {
            let together = try await points(runs: ["a", "b"], workers: 2)
            #expect(together == alone)
        }
    }

    /// Runs on threads of its own (`DedicatedExecutor`): it times how soon estimation stops,
    /// which must not wait for the shared pool that the tests beside it may hold.
    @Test func shutdownStopsEstimatingAfterTheGraceAndStoresWhatIsDone() async throws {
        try await DedicatedExecutor.timedTests.run {
            let store = InMemorySeriesStore()
            let clock = ManualClock()
            let configuration = self.configuration(grace: 5, queued: 10, uncompressed: true)
            let estimators = SlowEstimators(seconds: 0.005)
            let p = pipeline(configuration, store: store, clock: clock, estimators: estimators)
            let worker = Task(executorPreference: DedicatedExecutor.timedTests) { await p.run() }
            _ = try await p.runStarted(RunDescriptor(name: "big", clientName: "test"))
            _ = try await p.runStarted(RunDescriptor(name: "other", clientName: "test"))
            // 2,000 estimates of 5 ms: 10 s of work at least, and a second frame of the run waits
            // behind it; another run's frame is served in turn and finishes.
            for step in Int64(1)...2 {
                for snapshot in manyLayerSnapshots(run: "big", step: step, hidden: 2000) { try await p.accept(snapshot) }
            }
            for snapshot in SyntheticFrame(run: "other", step: 1).snapshots() { try await p.accept(snapshot) }
            let finishing = Task(executorPreference: DedicatedExecutor.timedTests) {
                await p.finish()
                return ContinuousClock.now
            }
            // Some estimates of the first big frame are done (the other run's frame is counted
            // apart: it is served in turn, so how much of it is done depends on the machine); then
            // the grace (5 s on the pipeline's clock) runs out.
            while estimators.calls(run: "big") < 50 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(await p.counterSnapshot().framesInterruptedAtShutdown == 0, "the grace has not run out yet")
            let graceOver = ContinuousClock.now
            clock.advance(by: .seconds(6))
            let took = graceOver.duration(to: await finishing.value)
            #expect(took < .seconds(5), "finish() returned \(took) after the grace; the queue left is ~20 s of work")
            await worker.value
            let counters = await p.counterSnapshot()
            #expect(counters.framesInterruptedAtShutdown == 1)
            #expect(counters.framesNotEstimatedAtShutdown == 1)
            let frames = await store.frames
            #expect(frames.map { $0.first?.run } == ["other", "big"])
            let big = try #require(frames.last)
            #expect(big.allSatisfy { $0.step == 1 })
            // Every layer was prepared (its σ stored), some estimated.
            let estimates = big.filter { $0.metric != Metric.kernelSigma }
            // 50 estimates had returned when the grace ran out; the last of them may not have
            // been handed back to the pipeline yet (one worker: at most one in hand).
            #expect(estimates.count >= 49 && estimates.count < 2000)
            #expect(big.count { $0.metric == Metric.kernelSigma } == 2000)
            // Stored as far as they went: each point an estimate of the whole frame, not partial.
            #expect(big.allSatisfy { !$0.isPartial && $0.sampleCount == 8 })
            // Nothing more is estimated after finish() returned.
            let calls = estimators.calls
            try await Task.sleep(for: .milliseconds(50))
            #expect(estimators.calls <= calls + 1)
        }
    }

    @Test func aGraceOfZeroStopsAtOnce() async throws {
        let store = InMemorySeriesStore()
        let configuration = self.configuration(grace: 0)
        let p = pipeline(configuration, store: store, clock: ManualClock(), estimators: SlowEstimators(seconds: 0.002))
        for snapshot in manyLayerSnapshots(hidden: 500) { try await p.accept(snapshot) }
        // No worker runs: finish() would estimate the frame itself; the grace of 0 stops it first.
        await p.finish()
        #expect(await store.frames.isEmpty)
        #expect(await p.counterSnapshot().framesNotEstimatedAtShutdown == 1)
    }

    @Test func theGraceIsAConfigurationKeyWithADefaultOfTenSeconds() throws {
        let decoded = try ConfigurationCoding.decode(from: Data(#"{"workers": 2}"#.utf8),
                                                    over: SchedulerConfiguration())
        #expect(decoded.shutdownGraceSeconds == 10)
        let set = try ConfigurationCoding.decode(from: Data(#"{"shutdown_grace_seconds": 2.5}"#.utf8),
                                                over: SchedulerConfiguration())
        #expect(set.shutdownGraceSeconds == 2.5)
        var grace = SchedulerConfiguration()
        grace.shutdownGraceSeconds = -1
        #expect(grace.effectiveShutdownGraceSeconds == 0)
        grace.shutdownGraceSeconds = .infinity
        #expect(grace.effectiveShutdownGraceSeconds == .infinity)
    }
}

/// Estimators that take `seconds` per estimate (a busy worker) and count their calls. The
/// estimates of `heldRun` wait until `release()`.
final class SlowEstimators: LayerEstimating {
    let seconds: Double
    let heldRun: String?
    private let count = Mutex([String: Int]())
    private let held = Mutex(true)
    init(seconds: Double, heldRun: String? = nil) {
        self.seconds = seconds
        self.heldRun = heldRun
    }
    /// Estimates finished, of every run or of one.
    var calls: Int { count.withLock { $0.values.reduce(0, +) } }
    func calls(run: String) -> Int { count.withLock { $0[run, default: 0] } }
    func release() { held.withLock { $0 = false } }

    func estimate(_ estimator: PipelineEstimate, input: EstimationInput, configuration: EstimationConfiguration) throws -> Estimate {
        while input.key.run == heldRun && held.withLock({ $0 }) { usleep(1000) }
        usleep(UInt32(seconds * 1_000_000))
        count.withLock { $0[input.key.run, default: 0] += 1 }
        return Estimate(value: Double(input.activations.columns), units: configuration.units,
                        n: input.activations.rows, d: input.compressed.columns)
    }
}
