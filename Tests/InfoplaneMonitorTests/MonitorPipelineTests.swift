import Foundation
import Logging
import Testing
import InfoplaneEstimators
import class InfoplaneTestSupport.ManualClock
@testable import InfoplaneMonitor

@Suite struct MonitorPipelineTests {
    let logger = Logger(label: "test.pipeline")

    func pipeline(_ configuration: MonitorConfiguration = MonitorConfiguration(), store: InMemorySeriesStore,
                  clock: ManualClock = ManualClock(), estimators: any LayerEstimating = RecordingEstimators()) -> MonitorPipeline {
        MonitorPipeline(configuration: configuration, store: store, logger: logger, clock: clock, estimators: estimators)
    }

    @Test func aCompleteFrameBecomesOneStoredFrameOfPoints() async throws {
        let store = InMemorySeriesStore()
        let estimators = RecordingEstimators()
        let p = pipeline(store: store, estimators: estimators)
        let events = p.events.subscribe()
        #expect(try await p.runStarted(RunDescriptor(name: "r", clientName: "test")) == "id-r")
        let frame = SyntheticFrame(step: 7)
        for snapshot in frame.snapshots().reversed() { try await p.accept(snapshot) }
        await p.finish()

        let frames = await store.frames
        #expect(frames.count == 1, "one appendFrame call per frame")
        let points = try #require(frames.first)
        let estimates = points.filter { $0.metric != Metric.explainedVariance && $0.metric != Metric.kernelSigma }
        // 2 hidden layers × 6 default estimators.
        #expect(estimates.count == 12)
        for layer in ["h1", "h2"] {
            let mine = estimates.filter { $0.layer == layer }
            #expect(Set(mine.map { "\($0.metric) \($0.estimator)" }) ==
                    ["I(X;T) binning", "I(T;Y) binning", "I(X;T) ksg1", "I(T;Y) mixed", "DSE(T) dse", "I(T;Y) dsmi"])
        }
        #expect(estimates.allSatisfy { $0.run == "r" && $0.split == .train && $0.step == 7 && !$0.isPartial && $0.unit == .bits })
        #expect(estimates.allSatisfy { $0.sampleCount == 64 })
        // h1 (16 wide) is compressed to 5 dimensions; h2 (4 wide) is used as it is.
        #expect(estimates.filter { $0.layer == "h1" }.allSatisfy { $0.dimension == 5 && $0.value == 7.016 })
        #expect(estimates.filter { $0.layer == "h2" }.allSatisfy { $0.dimension == 4 && $0.value == 7.004 })
        // The PCA bases fitted on this frame (x and h1) record their explained variance; the
        // kernel σ of each watched layer is recorded.
        let variance = points.filter { $0.metric == Metric.explainedVariance }
        #expect(Set(variance.map(\.layer)) == ["x", "h1"])
        #expect(variance.allSatisfy { $0.value > 0 && $0.value <= 1 + 1e-12 })
        #expect(Set(points.filter { $0.metric == Metric.kernelSigma }.map(\.layer)) == ["h1", "h2"])

        // Binning saw the raw activations, the others the compressed ones; labels and X came along.
        for call in estimators.recorded where call.input.layer == "h1" {
            #expect(call.input.activations.columns == 16)
            #expect(call.input.compressed.columns == 5)
            #expect(call.input.compressedInputs?.columns == 5)
            #expect(call.input.inputs?.columns == 12)
            #expect(call.input.labels == frame.ids.map { Int($0 % 2) })
        }
        let raw = try frame.matrix(layer: 0)
        #expect(estimators.recorded.first { $0.input.layer == "h1" }?.input.activations == raw)

        var received: [MonitorEvent] = []
        for await event in events { received.append(event) }
        #expect(received == [.points(points)])
        let counters = await p.counterSnapshot()
        #expect(counters.framesEstimated == 1)
        #expect(counters.pointsWritten == points.count)
        #expect(counters.assembly.framesCompleted == 1)
    }

    /// Binning of a wide layer puts every sample in a pattern of its own: its points are
    /// stored flagged `saturated`; a one-unit layer's are not.
    @Test func binningOfAWideLayerIsFlaggedSaturated() async throws {
        let store = InMemorySeriesStore()
        var configuration = MonitorConfiguration()
        configuration.estimation.estimators = [.binningInputInformation, .binningLabelInformation]
        let p = pipeline(configuration, store: store, estimators: StandardLayerEstimators())
        _ = try await p.runStarted(RunDescriptor(name: "r", clientName: "test"))
        for snapshot in SyntheticFrame(step: 1, layerWidths: [64, 1]).snapshots() { try await p.accept(snapshot) }
        await p.finish()
        let points = try #require(await store.frames.first).filter { $0.estimator == .binning }
        #expect(points.count == 4)
        for point in points {
            #expect(point.flags.contains(.saturated) == (point.layer == "h1"), "\(point.series)")
        }
        let wide = try #require(points.first { $0.layer == "h1" && $0.metric == .inputInformation })
        #expect(abs(wide.value - log2(64)) < 1e-12, "H(T) = log2 N")
    }

    /// Mutual information estimated on a compressed view with fewer dimensions than the
    /// data is a lower bound (data processing inequality), and its points say so; binning
    /// (raw activations), DSE (an entropy) and estimates on uncompressed views do not.
    @Test func estimatesOnProjectionsAreFlaggedLowerBounds() async throws {
        let store = InMemorySeriesStore()
        let p = pipeline(store: store, estimators: StandardLayerEstimators())
        _ = try await p.runStarted(RunDescriptor(name: "r", clientName: "test"))
        // X 12 wide and h1 16 wide are compressed to 5 dimensions; h2 (4 wide) is kept.
        for snapshot in SyntheticFrame(step: 1).snapshots() { try await p.accept(snapshot) }
        await p.finish()
        let points = try #require(await store.frames.first).filter { $0.metric != .explainedVariance && $0.metric != .kernelSigma }
        #expect(points.count == 12)
        let flagged = Set(points.filter { $0.flags.contains(.lowerBound) }.map { "\($0.layer) \($0.metric) \($0.estimator)" })
        #expect(flagged == ["h1 I(X;T) ksg1", "h1 I(T;Y) mixed", "h1 I(T;Y) dsmi", "h2 I(X;T) ksg1"])
        // 64 samples, k = 3, flagged when N < 3 · 2^d: KSG in 10 (X 5 + h1 5) and 9 (X 5 + h2 4)
        // dimensions, the mixed estimator on h1's 5 (64 < 96); not the mixed one on h2's 4
        // (64 ≥ 48).
        let few = Set(points.filter { $0.flags.contains(.fewSamples) }.map { "\($0.layer) \($0.metric) \($0.estimator)" })
        #expect(few == ["h1 I(X;T) ksg1", "h2 I(X;T) ksg1", "h1 I(T;Y) mixed"])
    }

    @Test func everyFrameWaitsAndIsEstimatedInStepOrderWithAFewInMemory() async throws {
        let store = InMemorySeriesStore()
        let waiting = InMemoryWaitingFrames()
        var configuration = MonitorConfiguration()
        configuration.scheduler.framesInMemoryPerRun = 2
        configuration.estimation.estimators = [.diffusionSpectralEntropy]
        let p = MonitorPipeline(configuration: configuration, store: store, waitingFrames: waiting,
                                logger: Logger(label: "test"), clock: ManualClock(), estimators: StandardLayerEstimators())
        // No worker runs while the client floods 12 frames: none is dropped, each is saved,
        // at most two are handed to the scheduler.
        for step in Int64(1)...12 {
            for snapshot in SyntheticFrame(step: step).snapshots() { try await p.accept(snapshot) }
            let counters = await p.counterSnapshot()
            #expect(counters.queueDepth <= 2)
            #expect(counters.framesWaiting == Int(step))
            #expect(counters.framesInAssembly == 0)
        }
        #expect(await waiting.waitingFrameSizes().keys.map(\.step).sorted() == Array(1...12))
        let before = await p.counterSnapshot()
        #expect(before.framesDropped == 0)
        #expect(before.lag["r"]?.steps == 11 && before.lag["r"]?.framesWaiting == 12)
        #expect(before.waitingFrameBytes == (await waiting.waitingFrameSizes()).values.reduce(0, +))
        await p.finish()
        let steps = await store.frames.map { $0[0].step }
        #expect(steps == Array(1...12), "every frame is estimated, in step order")
        #expect(await waiting.waitingFrameSizes().isEmpty, "estimated frames leave the waiting-frame store")
        let after = await p.counterSnapshot()
        #expect(after.framesWaiting == 0 && after.waitingFrameBytes == 0 && after.lag["r"]?.steps == 0)
    }

    @Test(arguments: [IncompleteFramePolicy.estimatePartial, .drop])
    func incompleteFrameTimesOut(policy: IncompleteFramePolicy) async throws {
        let store = InMemorySeriesStore()
        let clock = ManualClock()
        var configuration = MonitorConfiguration()
        configuration.assembly.frameTimeoutSeconds = 10
        configuration.assembly.incompletePolicy = policy
        configuration.estimation.estimators = [.binningInputInformation]
        let p = pipeline(configuration, store: store, clock: clock)
        // h2 never comes.
        for snapshot in SyntheticFrame(step: 3).snapshots().dropLast() { try await p.accept(snapshot) }
        clock.advance(by: .seconds(5))
        await p.tick()
        #expect(await p.counterSnapshot().framesInAssembly == 1)
        clock.advance(by: .seconds(6))
        await p.tick()
        #expect(await p.counterSnapshot().framesInAssembly == 0)
        await p.finish()
        let points = await store.allPoints.filter { $0.metric == Metric.inputInformation }
        let counters = await p.counterSnapshot()
        switch policy {
        case .estimatePartial:
            #expect(points.map(\.layer) == ["h1"])
            #expect(points.allSatisfy { $0.isPartial })
            #expect(counters.framesEstimatedPartial == 1)
            #expect(counters.assembly.framesPartial == 1)
        case .drop:
            #expect(points.isEmpty)
            #expect(counters.assembly.framesDroppedTimeout == 1)
        }
    }

    @Test func misalignedLayerIsRefusedAndThePipelineGoesOn() async throws {
        let store = InMemorySeriesStore()
        var configuration = MonitorConfiguration()
        configuration.estimation.estimators = [.binningInputInformation]
        let p = pipeline(configuration, store: store)
        var snapshots = SyntheticFrame(step: 1).snapshots()
        snapshots[3].sampleIDs[5] = 999_999
        for snapshot in snapshots.prefix(3) { try await p.accept(snapshot) }
        await #expect {
            try await p.accept(snapshots[3])
        } throws: { error in
            (error as? SnapshotRejection)?.reason == .frameMisaligned
        }
        // The next frame is fine and is estimated.
        for snapshot in SyntheticFrame(step: 2).snapshots() { try await p.accept(snapshot) }
        await p.finish()
        let steps = Set(await store.allPoints.map(\.step))
        #expect(steps.contains(2))
        #expect(await p.counterSnapshot().assembly.chunksRejected == 1)
    }

    @Test func memoryStaysBoundedUnderAFloodOfIncompleteFrames() async throws {
        let store = InMemorySeriesStore()
        var configuration = MonitorConfiguration()
        configuration.assembly.maxFramesInFlightPerRun = 4
        let p = pipeline(configuration, store: store)
        for step in Int64(1)...50 {
            // Only X of each frame: frames never complete.
            try await p.accept(SyntheticFrame(step: step).snapshots()[0])
            #expect(await p.counterSnapshot().framesInAssembly <= 4)
        }
        #expect(await p.counterSnapshot().assembly.framesDroppedAssemblyLimit == 46)
    }

    @Test func finishRefusesNewSnapshots() async throws {
        let p = pipeline(store: InMemorySeriesStore())
        await p.finish()
        await #expect {
            try await p.accept(SyntheticFrame(step: 1).snapshots()[0])
        } throws: { error in
            (error as? SnapshotRejection)?.reason == .unavailable
        }
    }

    @Test func runOptionsChooseEstimatorsAndBadOnesAreRefused() async throws {
        let store = InMemorySeriesStore()
        let p = pipeline(store: store)
        await #expect(throws: RunOptionError.self) {
            try await p.runStarted(RunDescriptor(name: "bad", clientName: "c", options: ["estimators": "ksg_ixt,magic"]))
        }
        _ = try await p.runStarted(RunDescriptor(name: "r", clientName: "c",
                                                 options: ["estimators": "mixed_ity", "units": "nats", "dimension": "2"]))
        for snapshot in SyntheticFrame(step: 5).snapshots() { try await p.accept(snapshot) }
        await p.finish()
        let points = await store.allPoints.filter { $0.metric == Metric.labelInformation }
        #expect(points.count == 2)
        #expect(points.allSatisfy { $0.estimator == .mixed && $0.unit == .nats && $0.dimension == 2 })
    }

    @Test func scalarsAreStoredAndPublished() async throws {
        let store = InMemorySeriesStore()
        let p = pipeline(store: store)
        let events = p.events.subscribe()
        let scalars = ScalarRecord(run: "r", step: 3, epoch: 0, split: .train, values: ["loss": 0.5])
        try await p.accept(scalars)
        await p.finish()
        #expect(await store.storedScalars == [scalars])
        var received: [MonitorEvent] = []
        for await event in events { received.append(event) }
        #expect(received == [.scalars(scalars)])
    }

    @Test func workerPoolEstimatesWhileRunningAndStopsOnFinish() async throws {
        let store = InMemorySeriesStore()
        var configuration = MonitorConfiguration()
        configuration.scheduler.workers = 2
        let p = pipeline(configuration, store: store)
        let events = p.events.subscribe()
        let worker = Task { await p.run() }
        for step in Int64(1)...5 {
            for snapshot in SyntheticFrame(step: step).snapshots() { try await p.accept(snapshot) }
        }
        var seen: Set<Int64> = []
        for await case .points(let points) in events {
            seen.insert(points[0].step)
            if seen.count == 5 { break }
        }
        #expect(seen == [1, 2, 3, 4, 5])
        await p.finish()
        await worker.value
        #expect(await store.frames.count == 5)
    }

    @Test func realEstimatorsOnAnInjectiveLayerGiveLogN() async throws {
        let store = InMemorySeriesStore()
        var configuration = MonitorConfiguration()
        configuration.estimation.binRange = .observed
        // The system clock: finish() must estimate everything however loaded the machine is.
        configuration.scheduler.shutdownGraceSeconds = .infinity
        let p = MonitorPipeline(configuration: configuration, store: store, waitingFrames: InMemoryWaitingFrames(), logger: logger)
        // 256 samples, T = X: every binned row distinct at 30 bins, so binning I(X;T) = log2 256 = 8 bits.
        var frame = SyntheticFrame(step: 1)
        frame.rows = 256
        frame.layerWidths = []
        var snapshots = frame.snapshots()
        var t = snapshots[0]
        t.layer = "t"
        t.role = .hidden
        snapshots = snapshots.map { var s = $0; s.frameLayerCount = 3; return s }
        t.frameLayerCount = 3
        snapshots.append(t)
        for snapshot in snapshots { try await p.accept(snapshot) }
        await p.finish()
        let points = await store.allPoints.filter { $0.layer == "t" }
        let binning = try #require(points.first { $0.metric == Metric.inputInformation && $0.estimator == .binning })
        #expect(abs(binning.value - 8) < 1e-9)
        #expect(points.filter { $0.metric != Metric.kernelSigma && $0.metric != Metric.explainedVariance }.count == 6)
        #expect(points.allSatisfy { $0.value.isFinite && $0.seconds >= 0 })
        // Labels are independent of T here: the label estimates stay far below H(Y) = 1 bit... except
        // plug-in binning, which on 256 distinct bins is pinned at H(Y).
        let mixed = try #require(points.first { $0.estimator == .mixed })
        #expect(mixed.value < 0.3)
    }

    @Test func aCollapsingLayerRaisesOneStoredAndPublishedAlert() async throws {
        let store = InMemorySeriesStore()
        var configuration = MonitorConfiguration()
        configuration.estimation.estimators = [.diffusionSpectralEntropy]
        // DSE of h1 holds at 8 bits, then falls to 1 bit from step 11; h2 stays at 8.
        let estimators = ScriptedEstimators { _, step, layer in layer == "h1" && step > 10 ? 1 : 8 }
        let p = pipeline(configuration, store: store, estimators: estimators)
        let events = p.events.subscribe()
        for step in Int64(1)...20 {
            for snapshot in SyntheticFrame(step: step).snapshots() { try await p.accept(snapshot) }
        }
        await p.finish()
        let alerts = await store.storedAlerts
        #expect(alerts.count == 1)
        let alert = try #require(alerts.first)
        #expect(alert.kind == .representationCollapse && alert.layer == "h1" && alert.run == "r")
        #expect(alert.step > 10 && alert.step <= 15)
        var published: [AlertRecord] = []
        for await case .alert(let a) in events { published.append(a) }
        #expect(published == alerts)
        #expect(await p.counterSnapshot().alertsRaised == 1)
    }

    @Test func aRunThatSaidGoodbyeKeepsItsAlertStateUntilItsFramesAreStored() async throws {
        // Training runs ahead of estimation: all 30 frames and their accuracy (0.95) arrive,
        // the client says Goodbye, and only then are the frames estimated. I(T;Y) keeps
        // rising (no plateau), so only the training accuracy can open compression_onset's
        // fitting gate; I(X;T) of h1 peaks at step 15 and falls. Dropping the run's rule
        // state at Goodbye lost the accuracy and the alert with it.
        let store = InMemorySeriesStore()
        var configuration = MonitorConfiguration()
        configuration.estimation.estimators = [.binningInputInformation, .binningLabelInformation]
        let estimators = ScriptedEstimators { estimator, step, layer in
            let s = Double(step)
            if estimator == .binningLabelInformation { return 0.1 + 0.03 * s }
            return layer == "h1" ? (s <= 15 ? 4 + 0.2 * s : 7 - 0.3 * (s - 15)) : 5
        }
        let clock = ManualClock()
        let p = pipeline(configuration, store: store, clock: clock, estimators: estimators)
        for step in Int64(1)...30 {
            try await p.accept(ScalarRecord(run: "r", step: step, epoch: step, split: .train, values: ["accuracy": 0.95]))
            for snapshot in SyntheticFrame(step: step, split: .probe).snapshots() { try await p.accept(snapshot) }
        }
        await p.sessionEnded(run: "r", clean: true)
        await p.finish()
        let alerts = await store.storedAlerts
        #expect(alerts.map(\.kind) == [.compressionOnset], "\(alerts.map(\.message))")
        #expect(alerts.first?.layer == "h1")
        #expect(alerts.first?.message.contains("train accuracy") == true, "\(alerts.first?.message ?? "")")
        // Goodbye ends the run for client_stalled at once, although points kept coming.
        clock.advance(by: .seconds(3600))
        await p.tick()
        #expect(await store.storedAlerts.count == 1)
    }

    @Test func fixedRangeBinningIsDoneAsTheChunksArriveWithTheSameValues() async throws {
        // A fixed-range run (as the demo's tanh run): each watched layer arrives in 4 chunks,
        // h2's rows in another order than h1's. The chunks are binned as they are accepted;
        // the estimates must equal binning the whole aligned layer at once.
        let store = InMemorySeriesStore()
        let p = pipeline(store: store, estimators: StandardLayerEstimators())
        _ = try await p.runStarted(RunDescriptor(name: "r", clientName: "test", options: [
            "estimators": "binning_ixt,binning_ity", "bin_range": "fixed", "bin_lower": "-1", "bin_upper": "1", "bins": "8"]))
        let frame = SyntheticFrame(step: 3, rows: 256, layerWidths: [6, 3], scale: 0.6)
        let whole = frame.snapshots()
        for snapshot in whole where snapshot.role == .input || snapshot.role == .label { try await p.accept(snapshot) }
        for (index, layer) in whole.enumerated() where layer.role == .hidden {
            guard case .floats(let values) = layer.values else { continue }
            var rows = Array(0..<layer.rows)
            if index % 2 == 1 { rows.reverse() }  // h2: another row order
            for chunk in 0..<4 {
                let mine = Array(rows[(chunk * 64)..<((chunk + 1) * 64)])
                var part = layer
                part.sampleIDs = mine.map { layer.sampleIDs[$0] }
                part.values = .floats(mine.flatMap { values[($0 * layer.columns)..<(($0 + 1) * layer.columns)] })
                part.chunkIndex = chunk
                part.chunkCount = 4
                try await p.accept(part)
            }
        }
        // The background binning of the 8 chunks has finished before estimation starts.
        for _ in 0..<500 where await p.counterSnapshot().chunksBinnedOnArrival < 8 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await p.counterSnapshot().chunksBinnedOnArrival == 8)
        await p.finish()
        #expect(await p.counterSnapshot().rowsBinnedOnArrival == 2 * 256, "both layers' binning pairs used the rows binned on arrival")

        let points = try #require(await store.frames.first)
        let labels = frame.ids.map { Int($0 % 2) }
        for (i, name) in ["h1", "h2"].enumerated() {
            let layer = try frame.matrix(layer: i)
            var one = BinningAccumulator(edges: try BinEdges.fixed(lower: -1, upper: 1, bins: 8, units: layer.columns))
            try one.add(layer, labels: labels)
            let ixt = try #require(points.first { $0.layer == name && $0.metric == Metric.inputInformation })
            let ity = try #require(points.first { $0.layer == name && $0.metric == Metric.labelInformation })
            #expect(ixt.value == (try one.entropy(units: .bits).value), "\(name) I(X;T)")
            #expect(ity.value == (try one.mutualInformation(units: .bits).value), "\(name) I(T;Y)")
            #expect(ixt.value > 1, "\(name): a non-trivial number of patterns (\(ixt.value) bits)")
        }
    }

    @Test func configurationDecodesWithDocumentedDefaults() throws {
        let empty = try ConfigurationCoding.decode(from: Data("{}".utf8), over: MonitorConfiguration())
        #expect(empty == MonitorConfiguration())
        #expect(empty.estimation.estimators == PipelineEstimate.allCases)
        #expect(empty.compression.method == .pca && empty.compression.dimension == 5)
        #expect(empty.assembly.incompletePolicy == .estimatePartial)
        let json = """
        {"scheduler": {"workers": 3}, "estimation": {"estimators": ["dse", "ksg_ixt"], "bin_range": "fixed"},
         "assembly": {"incomplete_policy": "drop", "frame_timeout_seconds": 2.5}, "compression": {"method": "random_projection"}}
        """
        let c = try ConfigurationCoding.decode(from: Data(json.utf8), over: MonitorConfiguration())
        #expect(c.scheduler.workers == 3 && c.scheduler.effectiveWorkers == 3)
        #expect(c.scheduler.framesInMemoryPerRun == 3)
        #expect(c.estimation.estimators == [.diffusionSpectralEntropy, .ksgInputInformation])
        #expect(c.estimation.binRange == .fixed && c.estimation.bins == 30)
        #expect(c.assembly.incompletePolicy == .drop && c.assembly.frameTimeoutSeconds == 2.5)
        #expect(c.compression.method == .randomProjection)
        #expect(MonitorConfiguration().scheduler.effectiveWorkers >= 1)
    }

    @Test func runOptionsOverrideTheDefaults() throws {
        let s = try RunSettings(options: ["compression": "none", "noise_sigma": "0.1", "bins": "100", "bin_range": "observed",
                                          "kernel_max_samples": "0", "unrelated": "kept for others"],
                                defaults: MonitorConfiguration())
        #expect(s.compression.method == .none && s.compression.noiseSigma == 0.1)
        #expect(s.estimation.bins == 100 && s.estimation.binRange == .observed && s.estimation.kernelMaxSamples == 0)
        #expect(throws: RunOptionError.self) { try RunSettings(options: ["bins": "1"], defaults: MonitorConfiguration()) }
        #expect(throws: RunOptionError.self) { try RunSettings(options: ["bin_lower": "2"], defaults: MonitorConfiguration()) }
    }

    @Test func binningPairEqualsTheSeparateEstimates() throws {
        let frame = SyntheticFrame(step: 1)
        let t = try frame.matrix(layer: 0)
        let input = EstimationInput(key: FrameKey(run: "r", step: 1, split: .train), layer: "h1", activations: t, compressed: t,
                                    labels: frame.ids.map { Int($0 % 2) }, binRange: -2...2)
        var configuration = EstimationConfiguration()
        configuration.bins = 4
        let standard = StandardLayerEstimators()
        let pair = try standard.estimateBinningPair(input: input, configuration: configuration)
        #expect(pair.inputInformation == (try standard.estimate(.binningInputInformation, input: input, configuration: configuration)))
        #expect(pair.labelInformation == (try standard.estimate(.binningLabelInformation, input: input, configuration: configuration)))
        #expect(pair.labelInformation.value > 0 && pair.labelInformation.value <= 1 + 1e-9)
    }
}
