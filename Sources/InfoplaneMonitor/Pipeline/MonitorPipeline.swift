import Foundation
import InfoplaneEstimators
import Logging

/// The monitoring pipeline: takes what the ingest server accepted (a `SnapshotSink`),
/// assembles probe frames, compresses and estimates them on a bounded worker pool, stores
/// the points, feeds the alert engine and publishes everything to in-process subscribers.
///
/// Ingest never waits on estimation: `accept` only assembles, and saves each assembled frame
/// to the waiting-frame store (the heavy work runs in `run()`'s workers). Every frame is
/// estimated, each run's in step order, however far the pool is behind, while the waiting
/// frames fit their byte budget (beyond it they are thinned by a step grid: `FrameBacklog`).
/// What is estimated therefore does not depend on the machine's load.
///
/// Lifecycle: construct, start `run()` in a task (it returns once `finish()` has drained, or
/// when cancelled), call `finish()` for a graceful stop: new snapshots are refused, frames
/// being assembled are finalised, every queued frame is estimated and stored.
public actor MonitorPipeline: SnapshotSink {
    public nonisolated let configuration: MonitorConfiguration
    /// Points, scalars, alerts and drops as they happen.
    public nonisolated let events: MonitorEvents
    let store: any SeriesStore
    let logger: Logger
    let clock: PipelineClock
    let estimators: any LayerEstimating
    /// Where assembled frames wait for estimation (the daemon's SQLite file).
    let waitingFrames: any WaitingFrameStore

    var assembler: ProbeFrameAssembler
    var scheduler: EstimationScheduler
    var backlog: FrameBacklog
    /// Runs whose next waiting frames are being handed to the scheduler (one feed at a time).
    var feedingRuns: Set<String> = []
    /// Each run's Hello options, saved with its waiting frames.
    var runOptions: [String: [String: String]] = [:]
    /// Settings of runs whose frames were kept from before a restart and that have not said
    /// Hello since, read from those frames.
    var resumedRunSettings: [String: RunSettings] = [:]
    var compression = CompressionRegistry()
    var runSettings: [String: RunSettings] = [:]
    var counters = PipelineCounters()
    var alertEngine: AlertEngine
    /// Runs whose alert-rule state this process holds (restored from the store or built live).
    var alertStateRuns: Set<String> = []
    /// Runs that said Goodbye, whose alert state is dropped once their frames are stored.
    var endingRuns: Set<String> = []
    /// Frames handed to `store` and not yet stored, per run.
    var framesStoringByRun: [String: Int] = [:]
    /// Frames waiting for the store, and whether its writes fail (see +StoreWrites).
    var storeWrites = StoreWriteState()

    enum State { case running, draining, finished }
    var state = State.running
    var workersRunning = 0
    /// Set when the shutdown grace is over (or was 0): no more work is handed out.
    var estimationStopped = false
    /// Finished frames handed to workers for storing and not yet stored.
    var framesStoring = 0
    var workWaiters: [CheckedContinuation<Void, Never>] = []
    var drainWaiters: [CheckedContinuation<Void, Never>] = []

    /// The daemon's constructor: the process's continuous clock, calendar time from the
    /// system, the real estimators.
    public init(configuration: MonitorConfiguration, store: any SeriesStore, waitingFrames: any WaitingFrameStore,
                logger: Logger) {
        self.init(configuration: configuration, store: store, waitingFrames: waitingFrames, logger: logger,
                  clock: ContinuousClock(), wallTime: { Date() }, estimators: StandardLayerEstimators())
    }

    /// `clock` measures every interval and timeout and paces the tick; `wallTime` is the
    /// calendar time stamped on alerts and fed to the time-based alert rules (nil: the
    /// clock's time after the Unix epoch, what a manual test clock wants). Waiting frames are
    /// kept in memory unless a `waitingFrames` store is given.
    public init<C: Clock>(configuration: MonitorConfiguration, store: any SeriesStore,
                          waitingFrames: any WaitingFrameStore = InMemoryWaitingFrames(), logger: Logger, clock: C,
                          wallTime: (@Sendable () -> Date)? = nil, estimators: any LayerEstimating,
                          events: MonitorEvents = MonitorEvents()) where C.Duration == Duration {
        self.configuration = configuration
        self.store = store
        self.waitingFrames = waitingFrames
        self.logger = logger
        self.clock = PipelineClock(clock, wallTime: wallTime)
        self.estimators = estimators
        self.events = events
        self.assembler = ProbeFrameAssembler(configuration: configuration.assembly)
        self.scheduler = EstimationScheduler()
        self.backlog = FrameBacklog(maxBytes: configuration.scheduler.maxWaitingFrameBytes,
                                    maxBytesPerRun: configuration.scheduler.maxWaitingFrameBytesPerRun,
                                    framesInMemoryPerRun: configuration.scheduler.framesInMemoryPerRun)
        self.alertEngine = AlertEngine(thresholds: configuration.alerts)
        self.counters.workers = configuration.scheduler.effectiveWorkers
    }

    // MARK: - SnapshotSink

    public func runStarted(_ run: RunDescriptor) async throws -> String {
        let settings = try RunSettings(options: run.options, defaults: configuration)
        let record = try await clientWrite("the run '\(run.name)'") { try await store.upsertRun(run) }
        runSettings[run.name] = settings
        runOptions[run.name] = run.options
        resumedRunSettings[run.name] = nil
        counters.runs = runSettings.count
        logger.info("run started", metadata: [
            "run": "\(run.name)", "client": "\(run.clientName)",
            "estimators": "\(settings.estimation.estimators.map(\.rawValue).joined(separator: ","))",
        ])
        endingRuns.remove(run.name)  // back before its last frames were stored: keep the state
        try await restoreAlertState(run: run.name)
        return record.id
    }

    /// A run this process has no alert state for (first session since the daemon started, or
    /// back after a Goodbye) continues its stored series: the alert rules are fed that history
    /// so that smoothing, peaks and latched episodes carry on instead of starting from
    /// nothing (which would raise an episode's alert a second time).
    func restoreAlertState(run: String) async throws {
        guard !alertStateRuns.contains(run) else { return }
        alertStateRuns.insert(run)
        let started = clock.now
        let points = try await store.series(SeriesQuery(run: run))
        let scalars = try await store.scalars(run: run, sinceStep: nil)
        guard !points.isEmpty || !scalars.isEmpty else { return }
        let replayed = alertEngine.restore(points: points, scalars: scalars, at: clock.wallTime)
        logger.info("alert state restored", metadata: [
            "run": "\(run)", "points": "\(points.count)", "scalars": "\(scalars.count)", "inputs": "\(replayed)",
            "seconds": "\(String(format: "%.3f", (clock.now - started).inSeconds))",
        ])
    }

    public func accept(_ snapshot: ProbeSnapshot) async throws {
        guard state == .running else {
            throw SnapshotRejection(.unavailable, "the monitor is shutting down and takes no more snapshots; reconnect once the daemon is back")
        }
        // A fixed-range run's chunk is binned here, away from the actor: other runs' chunks
        // are recorded meanwhile.
        let binEdges = runSettings[snapshot.run]?.estimation.fixedBinEdges(columns: snapshot.columns)
        var binned: BinnedRows?
        if let binEdges { binned = await Self.bin(snapshot, edges: binEdges) }
        let now = clock.now
        alertEngine.recordActivity(run: snapshot.run, step: snapshot.step, at: clock.wallTime)
        var events = assembler.expire(now: now)
        do {
            events += try assembler.accept(snapshot, now: now, binned: binned)
            await handle(events)
        } catch {
            await handle(events)
            logger.warning("snapshot refused", metadata: [
                "run": "\(snapshot.run)", "step": "\(snapshot.step)", "split": "\(snapshot.split.rawValue)",
                "layer": "\(snapshot.layer)", "chunk": "\(snapshot.chunkIndex)/\(snapshot.chunkCount)",
                "reason": "\(error.reason.rawValue)", "message": "\(error.message)",
            ])
            throw error
        }
    }

    @concurrent
    private nonisolated static func bin(_ snapshot: ProbeSnapshot, edges: BinEdges) async -> BinnedRows? {
        BinnedRows(chunk: snapshot, edges: edges)
    }

    public func accept(_ scalars: ScalarRecord) async throws {
        try await clientWrite("the scalars of run '\(scalars.run)' at step \(scalars.step)") { try await store.appendScalars(scalars) }
        counters.scalarsWritten += 1
        events.publish(.scalars(scalars))
        await raise(alertsFor(scalars: scalars))
    }

    public func sessionEnded(run: String, clean: Bool) async {
        logger.info("session ended", metadata: ["run": "\(run)", "clean": "\(clean)"])
        await handle(assembler.flush(run: run))
        // A run that said Goodbye is done; one that vanished is left to client_stalled.
        if clean {
            alertEngine.sessionClosed(run, at: clock.wallTime)
            endingRuns.insert(run)
            endRunIfDone(run)
        }
    }

    // MARK: - Control and inspection

    /// The counters and gauges now.
    public func counterSnapshot() -> PipelineCounters {
        var c = counters
        c.assembly = assembler.counters
        c.chunksBinnedOnArrival = assembler.chunksBinned
        c.framesInAssembly = assembler.framesInFlight
        c.queueDepth = scheduler.waitingFrames
        c.framesWaiting = backlog.waitingFrames
        c.waitingFrameBytes = backlog.totalBytes
        c.lag = backlog.lag
        c.framesActive = scheduler.activeFrames + framesStoring
        c.framesAwaitingStore = storeWrites.queue.count
        c.pointsAwaitingStore = storeWrites.queuedPoints
        c.storeWriteFailure = storeWrites.failure
        return c
    }

    /// The kept compression basis of a layer of a run, if fitted.
    func projection(run: String, layer: String) -> LayerProjection? {
        compression.projection(for: LayerKey(run: run, layer: layer))
    }

    /// Forgets the compression bases of `run` (one layer or all) so the next complete frame
    /// fits new ones. The series before and after are not comparable; the new basis's
    /// explained variance is stored at its step.
    public func refitCompression(run: String, layer: String? = nil) {
        compression.refit(run: run, layer: layer)
        logger.info("compression refit requested", metadata: ["run": "\(run)", "layer": "\(layer ?? "*")"])
    }

    /// Finalises the frames past their assembly timeout, runs the alert engine's time-based
    /// rules (client_stalled) and retries the frames waiting for the store when due (or
    /// when a write just succeeded and no idle worker took the retry). `run()` calls it
    /// every `tickInterval`; `accept` also finalises timed-out frames on each snapshot.
    public func tick() async {
        let now = clock.now
        await handle(assembler.expire(now: now))
        await raise(alertEngine.tick(now: clock.wallTime))
        await retryStoreWrites(force: storeWrites.retryRequested)
    }

    // MARK: - Assembly events

    func handle(_ assembled: [AssemblyEvent]) async {
        for event in assembled {
            switch event {
            case .completed(let frame), .partial(let frame):
                await admit(frame)
            case let .dropped(key, reason):
                logger.warning("frame dropped", metadata: [
                    "run": "\(key.run)", "step": "\(key.step)", "split": "\(key.split.rawValue)", "reason": "\(reason.rawValue)",
                ])
                events.publish(.frameDropped(key, reason))
            }
        }
    }
}
