import Foundation
import Logging

extension MonitorPipeline {
    /// Runs the worker pool (`SchedulerConfiguration.effectiveWorkers` workers) and the
    /// timeout ticker. Returns when `finish()` has drained the queue, or when cancelled
    /// (then queued frames are left unestimated).
    public func run() async {
        let workers = configuration.scheduler.effectiveWorkers
        workersRunning += workers
        logger.info("estimation pool started", metadata: ["workers": "\(workers)"])
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.tickLoop(); return false }
            for _ in 0..<workers {
                group.addTask { await self.workerLoop(); return true }
            }
            var remaining = workers
            while let isWorker = await group.next() {
                if isWorker {
                    remaining -= 1
                    if remaining == 0 { group.cancelAll() }
                }
            }
        }
        workersRunning -= workers
        signalIfDrained()
    }

    /// Graceful stop: refuses new snapshots, finalises every frame being assembled (whole
    /// ones complete, the others by `incompletePolicy`), estimates and stores what is
    /// queued, then ends the event streams. Runs the work itself when `run()` is not running.
    ///
    /// Bounded: estimation goes on for at most `scheduler.shutdownGraceSeconds` (default
    /// 10); then `stopEstimating()` hands out no more work, stores what is done and counts
    /// and logs the rest. Past the grace, finish() waits only for the store and returns;
    /// items already running finish on their own and are ignored (one item is one layer's
    /// preparation or one estimator on one layer, bounded by the sample budgets), and
    /// `run()` returns when they have.
    public func finish() async {
        if state == .running {
            state = .draining
            let now = clock.now()
            handle(assembler.flushAll(), now: now)
            let grace = configuration.scheduler.effectiveShutdownGraceSeconds
            logger.info("draining the estimation queue", metadata: [
                "queued": "\(scheduler.waitingFrames)", "active": "\(scheduler.activeFrames)",
                "grace_seconds": "\(grace)",
            ])
            if grace == 0 {
                await stopEstimating()
            } else if grace.isFinite {
                Task { await self.stopEstimating(after: grace, from: now) }
            }
            wakeWorkers()
        }
        if workersRunning == 0 {
            workersRunning += 1
            await workerLoop()
            workersRunning -= 1
        }
        if !isDrained {
            await withCheckedContinuation { drainWaiters.append($0) }
        }
        await abandonStoreWrites()
        if state != .finished {
            state = .finished
            wakeWorkers()
            events.finish()
            logger.info("pipeline finished", metadata: ["status": "\(counterSnapshot().statusLine)"])
        }
    }

    var isDrained: Bool { state != .running && scheduler.isIdle && framesStoring == 0 }

    /// Waits until `grace` seconds of the pipeline's clock have passed since `start`, then
    /// stops estimating, unless the queue drained first. Polls the clock (a manual test
    /// clock moves only when the test says).
    private func stopEstimating(after grace: Double, from start: Double) async {
        while state == .draining && !isDrained && !estimationStopped {
            let left = start + grace - clock.now()
            if left <= 0 {
                await stopEstimating()
                return
            }
            do { try await clock.sleep(min(left, 0.05)) } catch { return }
        }
    }

    /// The end of the shutdown grace: no more work is handed out, every queued or started
    /// frame is taken off the scheduler, the points already computed of started frames are
    /// stored (as far as they go), and what is left unestimated is counted and logged.
    func stopEstimating() async {
        guard state == .draining, !estimationStopped else { return }
        estimationStopped = true
        let abandoned = scheduler.abandon()
        // Frames done (some held for an older frame of their run) and the interrupted ones.
        let toStore = scheduler.takeFinished()
        let done = Set(toStore.filter(\.interrupted).map(\.key))
        let notEstimated = abandoned.waitingFrames.count + abandoned.activeFrames.count { !done.contains($0) }
        counters.framesNotEstimatedAtShutdown += notEstimated
        counters.framesInterruptedAtShutdown += done.count
        for key in abandoned.waitingFrames { streamingBinning.discard(frame: key) }
        if !abandoned.waitingFrames.isEmpty || !abandoned.activeFrames.isEmpty {
            logger.warning("shutdown grace over: estimation stopped, what is done is stored", metadata: [
                "frames_not_estimated": "\(notEstimated)",
                "frames_stored_incomplete": "\(done.count)",
                "frames_queued": "\(abandoned.waitingFrames.count)",
                "layers_not_estimated": "\(abandoned.layersNotEstimated)",
                "items_not_run": "\(abandoned.itemsNotRun)", "items_running_ignored": "\(abandoned.itemsRunning)",
                "grace_seconds": "\(configuration.scheduler.effectiveShutdownGraceSeconds)",
                "runs": "\(Set(abandoned.waitingFrames.map(\.run) + abandoned.activeFrames.map(\.run)).sorted().joined(separator: ","))",
            ])
        }
        wakeWorkers()
        framesStoring += toStore.count
        for frame in toStore { framesStoringByRun[frame.key.run, default: 0] += 1 }
        for frame in toStore { await store(frame) }
        signalIfDrained()
    }

    func signalIfDrained() {
        guard isDrained else { return }
        let waiters = drainWaiters
        drainWaiters = []
        for waiter in waiters { waiter.resume() }
        wakeWorkers()
    }

    func wakeWorkers() {
        let waiters = workWaiters
        workWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    private func tickLoop() async {
        let interval = max(configuration.scheduler.tickSeconds, 0.01)
        while !Task.isCancelled {
            do { try await clock.sleep(interval) } catch { return }
            if Task.isCancelled { return }
            await tick()
        }
    }

    private func workerLoop() async {
        while let order = await nextOrder() {
            let outcome = await Self.compute(order, estimators: estimators, clock: clock)
            for frame in complete(order, outcome) {
                await store(frame)
            }
        }
    }

    /// Runs the work off the actor, on the global concurrent executor.
    @concurrent
    private nonisolated static func compute(_ order: WorkOrder, estimators: any LayerEstimating, clock: MonitorClock) async -> WorkOutcome {
        PipelineWork.perform(order, estimators: estimators, clock: clock)
    }

    /// The next work order, waiting for one; nil when the pipeline has drained or the
    /// worker is cancelled.
    private func nextOrder() async -> WorkOrder? {
        while true {
            if Task.isCancelled || state == .finished || estimationStopped { return nil }
            if let item = scheduler.next(where: { item, job in self.canRun(item, job) }) {
                return order(for: item)
            }
            for frame in scheduler.takeFinished() {
                // Frames with nothing to estimate finish without an item.
                framesStoring += 1
                framesStoringByRun[frame.key.run, default: 0] += 1
                Task { await self.store(frame) }
            }
            if state == .draining && scheduler.isIdle { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { workWaiters.append($0) }
            } onCancel: {
                Task { await self.wakeWorkers() }
            }
        }
    }

    /// A prepare item of a layer whose basis another complete frame is fitting waits for it.
    private func canRun(_ item: WorkItem, _ job: FrameJob) -> Bool {
        guard case .prepare(let layer) = item.kind else { return true }
        let key = LayerKey(run: job.frame.key.run, layer: layer)
        return compression.projection(for: key) != nil || !compression.fitting.contains(key)
    }

    private func order(for item: WorkItem) -> WorkOrder {
        let job = scheduler.jobs[item.job]!
        let key = job.frame.key
        switch item.kind {
        case .prepare(let name):
            let layer = job.layer(named: name)!
            let layerKey = LayerKey(run: key.run, layer: name)
            let projection = compression.projection(for: layerKey)
            if projection == nil && !job.frame.partial { compression.beginFit(layerKey) }
            let kernelWanted = layer.role != .input && job.estimators.contains(where: \.usesKernel)
            return WorkOrder(item: item, key: key, partial: job.frame.partial, settings: job.settings,
                             task: .prepare(layer: layer, projection: projection, kernelWanted: kernelWanted))
        case let .estimate(name, estimator):
            return WorkOrder(item: item, key: key, partial: job.frame.partial, settings: job.settings,
                             task: .estimate(estimator, input(job, layer: name)))
        case .binningPair(let name):
            var pair = input(job, layer: name)
            if !job.frame.partial, let edges = StreamingBinning.fixedEdges(job.settings.estimation, columns: pair.activations.columns) {
                pair.binned = streamingBinning.take(frame: key, layer: name, sampleIDs: job.frame.sampleIDs, edges: edges)
            }
            return WorkOrder(item: item, key: key, partial: job.frame.partial, settings: job.settings,
                             task: .binningPair(pair))
        }
    }

    private func input(_ job: FrameJob, layer name: String) -> EstimationInput {
        let t = job.prepared[name]!
        let x = job.inputs.flatMap { job.prepared[$0.name] }
        return EstimationInput(key: job.frame.key, layer: name, activations: t.raw, compressed: t.compressed,
                               inputs: x?.raw, compressedInputs: x?.compressed, labels: job.labels,
                               binRange: t.binRange, kernelSigma: t.kernelSigma ?? 1)
    }

    /// Records a worker's outcome; returns the frames it finished (to be stored by the worker).
    private func complete(_ order: WorkOrder, _ outcome: WorkOutcome) -> [FinishedFrame] {
        let key = order.key
        switch (order.item.kind, outcome) {
        case (.prepare(let name), .prepared(var layer)):
            let layerKey = LayerKey(run: key.run, layer: name)
            if layer.fittedHere {
                if order.partial {
                    layer.fittedHere = false
                } else {
                    let kept = compression.adopt(layer.projection, for: layerKey)
                    layer.fittedHere = kept == layer.projection
                    logger.info("compression basis fitted", metadata: [
                        "run": "\(key.run)", "layer": "\(name)", "step": "\(key.step)",
                        "method": "\(kept.method.rawValue)", "width": "\(kept.inputWidth)→\(kept.outputWidth)",
                        "explained_variance": "\(kept.explainedVariance.map { String(format: "%.4f", $0) } ?? "n/a")",
                    ])
                }
            }
            counters.preparationSeconds += layer.seconds
            if order.settings.estimation.binRange == .running {
                layer.binRange = compression.extendRange(layerKey, by: layer.observedRange)
            }
            scheduler.completePreparation(order.item, result: layer)
        case (.prepare(let name), .failed(let message)):
            if !order.partial { compression.abandonFit(LayerKey(run: key.run, layer: name)) }
            counters.preparationsFailed += 1
            logger.error("layer preparation failed; its estimates are skipped", metadata: [
                "run": "\(key.run)", "step": "\(key.step)", "split": "\(key.split.rawValue)", "layer": "\(name)",
                "error": "\(message)",
            ])
            scheduler.completePreparation(order.item, result: nil, failure: message)
        case (.estimate, .estimated(let point)):
            counters.estimationSeconds += point.seconds
            scheduler.completeEstimate(order.item, point: point)
        case (.binningPair, .estimatedPair(let points)):
            counters.estimationSeconds += points.reduce(0) { $0 + $1.seconds }
            scheduler.completeEstimates(order.item, points: points)
        case (.binningPair(let name), .failed(let message)):
            counters.estimatesFailed += 2
            logger.notice("binning estimates failed; points skipped", metadata: [
                "run": "\(key.run)", "step": "\(key.step)", "split": "\(key.split.rawValue)", "layer": "\(name)",
                "error": "\(message)",
            ])
            scheduler.completeEstimates(order.item, points: [])
        case (.estimate(let name, let estimator), .failed(let message)):
            counters.estimatesFailed += 1
            logger.notice("estimate failed; point skipped", metadata: [
                "run": "\(key.run)", "step": "\(key.step)", "split": "\(key.split.rawValue)", "layer": "\(name)",
                "estimator": "\(estimator.rawValue)", "error": "\(message)",
            ])
            scheduler.completeEstimate(order.item, point: nil)
        default:
            assertionFailure("outcome \(outcome) does not match item \(order.item)")
            scheduler.completeEstimate(order.item, point: nil)
        }
        wakeWorkers()
        let finished = scheduler.takeFinished()
        framesStoring += finished.count
        for frame in finished { framesStoringByRun[frame.key.run, default: 0] += 1 }
        return finished
    }
}
