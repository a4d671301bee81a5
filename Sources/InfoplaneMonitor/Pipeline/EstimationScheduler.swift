/// The estimation pool's queue and bookkeeping: a pure value the pipeline actor owns.
///
/// **Fair between runs.** Work is handed out one `WorkItem` at a time (one layer's
/// preparation, or one estimator on one layer), round-robin over the runs that have work:
/// each run with a ready item gets one before any run gets a second. A frame of 20,000
/// layers is 20,000+ items, so another run's small frame, queued behind it, is estimated
/// between them instead of after them. Runs take turns in the order of their names, from
/// the one after the run served last — a fixed rule, so with one worker the order of the
/// items depends on nothing but the queue.
///
/// **Within a run**, frames are served oldest first: a worker gets the next item of the
/// run's oldest frame that has one, so the run's frames finish in order and few are in
/// progress at once (and a frame fits the compression bases the run's later frames use).
/// The scheduler drops nothing: the pipeline's `FrameBacklog` hands it a few frames per run
/// at a time, in step order, and keeps the rest waiting.
///
/// **Cost.** Handing out or completing an item is O(1) in the layers of its frame (plus
/// O(frames queued)): jobs are changed in place in `jobs`, never copied out and back
/// (copying a job copied its item list and prepared layers — quadratic in the layers of a
/// frame), and a job's ready items are taken from a cursor.
///
/// **Deterministic.** What is stored does not depend on the interleaving, the number of
/// workers or the machine's load. Each item's result depends only on its frame and, for a
/// preparation, on the run's earlier frames (the compression basis, the running bin range),
/// so: a layer of a run is prepared by one frame at a time, in frame order (a preparation
/// waits while an earlier frame's of the same run and layer runs); a run's finished frames
/// are handed back in queue order (a frame that finishes first waits for the older frames
/// of its run), so the alert rules see them in order; and each frame's points are sorted.
struct EstimationScheduler: Sendable {
    private(set) var jobs: [Int: FrameJob] = [:]
    /// Job ids, oldest first.
    private var order: [Int] = []
    private var nextID = 1
    private var finished: [FinishedFrame] = []
    /// The run the last item went to; the next turn starts after it.
    private var lastRun: String?
    /// Layers being prepared (handed out, not completed): another frame's preparation of
    /// the same run and layer waits, so that the run's frames prepare each layer in order.
    private var preparing: Set<LayerKey> = []

    /// Frames waiting for their first item to start.
    var waitingFrames: Int { jobs.values.count { $0.stage == .waiting } }
    /// Frames started and not handed back yet: items running or to come, or done and held
    /// for an older frame of their run.
    var activeFrames: Int { jobs.values.count { $0.stage != .waiting } }
    /// Items handed to workers and not completed.
    var runningItems: Int { jobs.values.reduce(0) { $0 + $1.running } }
    var isIdle: Bool { jobs.isEmpty && finished.isEmpty }
    /// Keys of the waiting frames, oldest first.
    var waitingKeys: [FrameKey] { order.compactMap { jobs[$0] }.filter { $0.stage == .waiting }.map(\.frame.key) }

    /// Queues a frame behind the others.
    mutating func enqueue(_ frame: ProbeFrame, settings: RunSettings, now: Duration) {
        let id = nextID
        nextID += 1
        jobs[id] = FrameJob(id: id, frame: frame, settings: settings, queuedAt: now)
        order.append(id)
    }

    /// The next item to run: the runs take turns (see the type's notes), and within a run
    /// the oldest frame with a ready item gives it. Items `canRun` declines are skipped
    /// (for example a layer whose basis another frame is fitting). Marks the item running.
    mutating func next(where canRun: (WorkItem, FrameJob) -> Bool = { _, _ in true }) -> WorkItem? {
        // The runs with jobs, each with its jobs oldest first.
        var jobsOfRun: [String: [Int]] = [:]
        for id in order {
            guard let run = jobs[id]?.frame.key.run else { continue }
            jobsOfRun[run, default: []].append(id)
        }
        let runs = jobsOfRun.keys.sorted()
        let first = lastRun.flatMap { last in runs.firstIndex { $0 > last } } ?? 0
        for turn in 0..<runs.count {
            let run = runs[(first + turn) % runs.count]
            for id in jobsOfRun[run]! {
                if let item = take(from: id, where: canRun) {
                    lastRun = run
                    return item
                }
            }
        }
        collectFinished()
        return nil
    }

    /// Starts the job if it waits, and takes its first ready item `canRun` accepts. In place.
    private mutating func take(from id: Int, where canRun: (WorkItem, FrameJob) -> Bool) -> WorkItem? {
        guard jobs[id] != nil else { return nil }
        if jobs[id]!.stage == .waiting { Self.start(&jobs[id]!) }
        guard jobs[id]!.stage != .finished, jobs[id]!.readyCount > 0 else { return nil }
        // A copy to show `canRun`; taking the first ready item only moves the cursor, so
        // the copy's item list is not copied again (another index, rare, removes from it).
        let job = jobs[id]!
        let run = job.frame.key.run
        guard let index = job.ready.firstIndex(where: { item in
            if case .prepare(let layer) = item.kind, preparing.contains(LayerKey(run: run, layer: layer)) { return false }
            return canRun(item, job)
        }) else { return nil }
        let item = jobs[id]!.takeReady(at: index)
        if case .prepare(let layer) = item.kind { preparing.insert(LayerKey(run: run, layer: layer)) }
        return item
    }

    /// Records a prepared layer (nil: preparation failed with `failure`).
    mutating func completePreparation(_ item: WorkItem, result: PreparedLayer?, failure: String? = nil) {
        guard jobs[item.job] != nil else { return }
        preparing.remove(LayerKey(run: jobs[item.job]!.frame.key.run, layer: item.layer))
        Self.completePreparation(&jobs[item.job]!, item, result: result, failure: failure)
        collectFinished()
    }

    private static func completePreparation(_ job: inout FrameJob, _ item: WorkItem, result: PreparedLayer?, failure: String?) {
        job.running -= 1
        if let result { job.prepared[item.layer] = result } else { job.failedLayers[item.layer] = failure ?? "failed" }
        if job.readyCount == 0 && job.running == 0 && job.stage == .preparing {
            job.setReady(job.estimateItems)
            job.stage = job.readyCount == 0 ? .finished : .estimating
        }
    }

    /// Records an estimate (nil: the estimator failed; the point is left out).
    mutating func completeEstimate(_ item: WorkItem, point: SeriesPoint?) {
        completeEstimates(item, points: point.map { [$0] } ?? [])
    }

    /// Records the estimates of one item (a binning pair gives two).
    mutating func completeEstimates(_ item: WorkItem, points: [SeriesPoint]) {
        guard jobs[item.job] != nil else { return }
        Self.completeEstimates(&jobs[item.job]!, points: points)
        collectFinished()
    }

    private static func completeEstimates(_ job: inout FrameJob, points: [SeriesPoint]) {
        job.running -= 1
        job.points += points
        if job.readyCount == 0 && job.running == 0 { job.stage = .finished }
    }

    /// Frames finished since the last call, in queue order.
    mutating func takeFinished() -> [FinishedFrame] {
        collectFinished()
        defer { finished = [] }
        return finished
    }

    /// What `abandon()` left undone.
    struct Abandoned: Sendable, Equatable {
        /// Frames no item of which had started (not estimated at all).
        var waitingFrames: [FrameKey] = []
        /// Frames in progress: what they computed is handed back in `interrupted` when it
        /// is at least one point, the rest is not estimated.
        var activeFrames: [FrameKey] = []
        /// Items of the active frames not handed out, and those handed out and not back
        /// (their results will be ignored). Estimates of layers still being prepared are
        /// not counted: they had not been planned yet.
        var itemsNotRun = 0
        var itemsRunning = 0
        /// Watched layers of the active frames left without a single estimate.
        var layersNotEstimated = 0
    }

    /// Stops all work at once (the shutdown grace is over): every job is removed. Frames in
    /// progress that computed points come back from `takeFinished()` with those points
    /// (`FinishedFrame.interrupted`), so that what is done can be stored; results of items
    /// still running are ignored when they come. Returns what was left undone.
    mutating func abandon() -> Abandoned {
        collectFinished()
        var out = Abandoned()
        for id in order {
            guard let job = jobs.removeValue(forKey: id) else { continue }
            if job.stage == .waiting {
                out.waitingFrames.append(job.frame.key)
                continue
            }
            if job.stage == .finished {
                // Done, held for an older frame of its run: stored whole.
                finished.append(FinishedFrame(job))
                continue
            }
            out.activeFrames.append(job.frame.key)
            out.itemsNotRun += job.readyCount
            out.itemsRunning += job.running
            let estimated = Set(job.points.map(\.layer))
            out.layersNotEstimated += job.frame.watchedLayers.count { !estimated.contains($0.name) }
            if !job.points.isEmpty { finished.append(FinishedFrame(job, interrupted: true)) }
        }
        order = []
        preparing = []
        return out
    }

    private static func start(_ job: inout FrameJob) {
        job.setReady(job.layersToPrepare.map { WorkItem(job: job.id, kind: .prepare(layer: $0)) })
        job.stage = job.readyCount == 0 ? .finished : .preparing
    }

    /// Hands back the finished frames whose run has no older frame still in the queue.
    private mutating func collectFinished() {
        var waitingForOlder: Set<String> = []
        var done: [Int] = []
        for id in order {
            guard let stage = jobs[id]?.stage, let run = jobs[id]?.frame.key.run else { continue }
            if stage == .finished && !waitingForOlder.contains(run) {
                done.append(id)
            } else {
                waitingForOlder.insert(run)
            }
        }
        guard !done.isEmpty else { return }
        for id in done {
            guard let job = jobs.removeValue(forKey: id) else { continue }
            finished.append(FinishedFrame(job))
        }
        order.removeAll { jobs[$0] == nil }
    }
}
