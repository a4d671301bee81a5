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
        var graceEnds: Duration?
        if state == .running {
            state = .draining
            let now = clock.now
            await handle(assembler.flushAll())
            let grace = configuration.scheduler.shutdownGrace
            logger.info("draining the estimation queue", metadata: [
                "waiting": "\(backlog.waitingFrames)", "active": "\(scheduler.activeFrames)",
                "grace_seconds": "\(configuration.scheduler.effectiveShutdownGraceSeconds)",
            ])
            if grace == .zero {
                await stopEstimating()
            } else if let grace {
                graceEnds = now + grace
            }
            wakeWorkers()
        }
        // The drain and, for the call that started it, the grace timer: the timer ends with
        // the drain, the drain ends early when the timer stops estimation.
        await withTaskGroup(of: Bool.self) { group in
            if let graceEnds {
                group.addTask { await self.stopEstimating(at: graceEnds); return false }
            }
            group.addTask { await self.drain(); return true }
            while let drained = await group.next() {
                if drained { group.cancelAll() }
            }
        }
        await abandonStoreWrites()
        if state != .finished {
            state = .finished
            wakeWorkers()
            events.finish()
            logger.info("pipeline finished", metadata: ["status": "\(counterSnapshot().statusLine)"])
        }
    }

    /// Runs the queued work here when `run()` is not running, then waits for the queue to
    /// drain (or for the shutdown grace to empty it).
    private func drain() async {
        if workersRunning == 0 {
            workersRunning += 1
            await workerLoop()
            workersRunning -= 1
        }
        if !isDrained {
            await withCheckedContinuation { drainWaiters.append($0) }
        }
    }

    var isDrained: Bool { state != .running && scheduler.isIdle && backlog.isEmpty && framesStoring == 0 }

    /// Waits until the pipeline's clock reads `deadline`, then stops estimating, unless the
    /// queue drained first or the wait is cancelled. Polls the clock (a manual test clock
    /// moves only when the test says).
    private func stopEstimating(at deadline: Duration) async {
        while state == .draining && !isDrained && !estimationStopped {
            let left = deadline - clock.now
            if left <= .zero {
                await stopEstimating()
                return
            }
            do { try await clock.sleep(for: min(left, .milliseconds(50))) } catch { return }
        }
    }

    /// The end of the shutdown grace: no more work is handed out, every queued or started
    /// frame is taken off the scheduler, the points already computed of started frames are
    /// stored (as far as they go), and what is left unestimated is counted and logged.
    func stopEstimating() async {
        guard state == .draining, !estimationStopped else { return }
        estimationStopped = true
        let abandoned = scheduler.abandon()
        let kept = backlog.removeAll()
        // Frames done (some held for an older frame of their run) and the interrupted ones.
        let toStore = scheduler.takeFinished()
        let done = Set(toStore.filter(\.interrupted).map(\.key))
        let notEstimated = abandoned.waitingFrames.count + abandoned.activeFrames.count { !done.contains($0) }
        counters.framesNotEstimatedAtShutdown += notEstimated
        counters.framesInterruptedAtShutdown += done.count
        if !kept.isEmpty {
            logger.warning("shutdown grace over: estimation stopped, what is done is stored; the frames not estimated stay in the waiting-frame store and are estimated after the next start", metadata: [
                "frames_kept": "\(kept.count - done.count)", "frames_not_estimated": "\(notEstimated)",
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

    /// Ticks until cancelled; then wakes the idle workers so that they see the cancellation.
    private func tickLoop() async {
        let interval = max(configuration.scheduler.tickInterval, .milliseconds(10))
        while !Task.isCancelled {
            do { try await clock.sleep(for: interval) } catch { break }
            if Task.isCancelled { break }
            await tick()
        }
        wakeWorkers()
    }

    /// Takes items until there are none: prepares or estimates each away from the actor,
    /// records the result, and stores the frames that result finished.
    private func workerLoop() async {
        while let item = await nextItem() {
            let finished: [FinishedFrame]
            let (key, partial, settings) = frameOf(item)
            if case .prepare = item.kind {
                let result = await Self.offActor { [clock] in try item.prepare(frame: key, settings: settings, clock: clock) }
                finished = completePreparation(item, key: key, partial: partial, settings: settings, result: result)
            } else {
                let result = await Self.offActor { [clock, estimators] in
                    try item.estimate(with: estimators, partial: partial, settings: settings, clock: clock)
                }
                finished = completeEstimates(item, key: key, result: result)
            }
            for frame in finished {
                await store(frame)
            }
        }
    }

    /// The key, partiality and run settings of the item's frame. Read through the
    /// scheduler: a copy of the job held across the work would make every change to the
    /// job copy its items and prepared layers.
    private func frameOf(_ item: WorkItem) -> (key: FrameKey, partial: Bool, settings: RunSettings) {
        let frame = scheduler.jobs[item.job]!.frame
        return (frame.key, frame.partial, scheduler.jobs[item.job]!.settings)
    }

    /// Runs `work` on the global concurrent executor, off the pipeline actor.
    @concurrent
    private nonisolated static func offActor<T: Sendable>(_ work: @Sendable () throws -> T) async -> Result<T, any Error> {
        Result { try work() }
    }

    /// The next item, with what its work reads, waiting for one; nil when the pipeline has
    /// drained, estimation stopped or the worker is cancelled. Between items the worker
    /// stores frames that finished without one, and retries the store's waiting frames
    /// when a write just succeeded.
    private func nextItem() async -> WorkItem? {
        while true {
            if Task.isCancelled || state == .finished || estimationStopped { return nil }
            if let item = scheduler.next(where: { item, job in self.canRun(item, job) }) {
                return handOut(item)
            }
            let finished = scheduler.takeFinished()
            if !finished.isEmpty {
                // Frames with nothing to estimate finish without an item.
                framesStoring += finished.count
                for frame in finished { framesStoringByRun[frame.key.run, default: 0] += 1 }
                for frame in finished { await store(frame) }
                continue
            }
            if storeWrites.retryRequested && !storeWrites.turnTaken {
                await retryStoreWrites(force: true)
                continue
            }
            if state == .draining && scheduler.isIdle && (backlog.isEmpty || estimationStopped) { return nil }
            await withCheckedContinuation { workWaiters.append($0) }
        }
    }

    /// A prepare item of a layer whose basis another complete frame is fitting waits for it.
    private func canRun(_ item: WorkItem, _ job: FrameJob) -> Bool {
        guard case .prepare(let layer) = item.kind else { return true }
        let key = LayerKey(run: job.frame.key.run, layer: layer)
        return compression.projection(for: key) != nil || !compression.fitting.contains(key)
    }

    /// Fills in what the item's work reads from its frame job.
    private func handOut(_ item: WorkItem) -> WorkItem {
        var item = item
        let job = scheduler.jobs[item.job]!
        let key = job.frame.key
        switch item.kind {
        case .prepare(let name):
            let layer = job.layer(named: name)!
            let layerKey = LayerKey(run: key.run, layer: name)
            item.projection = compression.projection(for: layerKey)
            if item.projection == nil && !job.frame.partial { compression.beginFit(layerKey) }
            item.kernelWanted = layer.role != .input && job.estimators.contains(where: \.usesKernel)
            item.layerToPrepare = layer
        case .estimate(let name, _):
            item.input = input(job, layer: name)
        case .binningPair(let name):
            var pair = input(job, layer: name)
            if let binned = job.layer(named: name)?.binned,
               binned.edges == job.settings.estimation.fixedBinEdges(columns: pair.activations.columns) {
                pair.binned = binned
                counters.rowsBinnedOnArrival += binned.rows
            }
            item.input = pair
        }
        return item
    }

    private func input(_ job: FrameJob, layer name: String) -> EstimationInput {
        let t = job.prepared[name]!
        let x = job.inputs.flatMap { job.prepared[$0.name] }
        return EstimationInput(key: job.frame.key, layer: name, activations: t.raw, compressed: t.compressed,
                               inputs: x?.raw, compressedInputs: x?.compressed, labels: job.labels,
                               binRange: t.binRange, kernelSigma: t.kernelSigma ?? 1)
    }

    /// Records a preparation's result; returns the frames it finished (stored by the worker).
    private func completePreparation(_ item: WorkItem, key: FrameKey, partial: Bool, settings: RunSettings,
                                     result: Result<PreparedLayer, any Error>) -> [FinishedFrame] {
        let name = item.layer
        let layerKey = LayerKey(run: key.run, layer: name)
        switch result {
        case .success(var layer):
            if layer.fittedHere {
                if partial {
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
            counters.preparationSeconds += layer.duration.inSeconds
            if settings.estimation.binRange == .running {
                layer.binRange = compression.extendRange(layerKey, by: layer.observedRange)
            }
            scheduler.completePreparation(item, result: layer)
        case .failure(let error):
            let message = String(describing: error)
            if !partial { compression.abandonFit(layerKey) }
            counters.preparationsFailed += 1
            logger.error("layer preparation failed; its estimates are skipped", metadata: [
                "run": "\(key.run)", "step": "\(key.step)", "split": "\(key.split.rawValue)", "layer": "\(name)",
                "error": "\(message)",
            ])
            scheduler.completePreparation(item, result: nil, failure: message)
        }
        return takeFinished()
    }

    /// Records an estimate's (or a binning pair's) result; returns the frames it finished.
    private func completeEstimates(_ item: WorkItem, key: FrameKey,
                                   result: Result<[SeriesPoint], any Error>) -> [FinishedFrame] {
        switch result {
        case .success(let points):
            counters.estimationSeconds += points.reduce(0) { $0 + $1.seconds }
            scheduler.completeEstimates(item, points: points)
        case .failure(let error):
            var metadata: Logger.Metadata = [
                "run": "\(key.run)", "step": "\(key.step)", "split": "\(key.split.rawValue)", "layer": "\(item.layer)",
            ]
            if case .estimate(_, let estimator) = item.kind {
                counters.estimatesFailed += 1
                metadata["estimator"] = "\(estimator.rawValue)"
                metadata["error"] = "\(estimator.rawValue): \(error)"
                logger.notice("estimate failed; point skipped", metadata: metadata)
            } else {
                counters.estimatesFailed += 2
                metadata["error"] = "binning: \(error)"
                logger.notice("binning estimates failed; points skipped", metadata: metadata)
            }
            scheduler.completeEstimates(item, points: [])
        }
        return takeFinished()
    }

    /// Wakes the workers and takes the frames the scheduler finished, counted as storing.
    private func takeFinished() -> [FinishedFrame] {
        wakeWorkers()
        let finished = scheduler.takeFinished()
        framesStoring += finished.count
        for frame in finished { framesStoringByRun[frame.key.run, default: 0] += 1 }
        return finished
    }
}
