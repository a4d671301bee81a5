/// The estimation pool's queue and bookkeeping: a pure value the pipeline actor owns.
///
/// Frames are served oldest first; a worker asking for work gets the next item of the
/// oldest frame that has one, so frames finish in order and few are in progress at once.
/// Each stream (run, split) keeps at most `maxQueuedFramesPerStream` frames waiting (no
/// item started); queuing one more drops the oldest waiting frame of that stream —
/// latest wins, so a monitor that falls behind estimates the newest state of the run.
public struct EstimationScheduler: Sendable {
    public var maxQueuedFramesPerStream: Int
    public private(set) var jobs: [Int: FrameJob] = [:]
    private var order: [Int] = []
    private var nextID = 1
    private var finished: [FinishedFrame] = []

    public init(maxQueuedFramesPerStream: Int = 2) {
        self.maxQueuedFramesPerStream = maxQueuedFramesPerStream
    }

    /// Frames waiting for their first item to start.
    public var waitingFrames: Int { jobs.values.count { $0.stage == .waiting } }
    /// Frames with items started and not finished.
    public var activeFrames: Int { jobs.values.count { $0.stage == .preparing || $0.stage == .estimating } }
    /// Items handed to workers and not completed.
    public var runningItems: Int { jobs.values.reduce(0) { $0 + $1.running } }
    public var isIdle: Bool { jobs.isEmpty && finished.isEmpty }
    /// Keys of the waiting frames, oldest first.
    public var waitingKeys: [FrameKey] { order.compactMap { jobs[$0] }.filter { $0.stage == .waiting }.map(\.frame.key) }

    /// Queues a frame. Returns the keys of waiting frames dropped to make room (oldest of the
    /// same stream first).
    public mutating func enqueue(_ frame: ProbeFrame, settings: RunSettings, now: Double) -> [FrameKey] {
        let capacity = max(maxQueuedFramesPerStream, 1)
        var dropped: [FrameKey] = []
        let stream = frame.key.stream
        while true {
            let waiting = order.filter { jobs[$0]?.stage == .waiting && jobs[$0]?.frame.key.stream == stream }
            guard waiting.count >= capacity, let oldest = waiting.first else { break }
            dropped.append(jobs[oldest]!.frame.key)
            jobs[oldest] = nil
            order.removeAll { $0 == oldest }
        }
        let id = nextID
        nextID += 1
        jobs[id] = FrameJob(id: id, frame: frame, settings: settings, queuedAt: now)
        order.append(id)
        return dropped
    }

    /// The next item to run, oldest frame first, skipping items `canRun` declines (for
    /// example a layer whose basis another frame is fitting). Marks it running.
    public mutating func next(where canRun: (WorkItem, FrameJob) -> Bool = { _, _ in true }) -> WorkItem? {
        for id in order {
            guard var job = jobs[id] else { continue }
            if job.stage == .waiting { start(&job) }
            if job.stage == .finished {
                jobs[id] = job
                continue
            }
            if let index = job.ready.firstIndex(where: { canRun($0, job) }) {
                let item = job.ready.remove(at: index)
                job.running += 1
                jobs[id] = job
                return item
            }
            jobs[id] = job
        }
        collectFinished()
        return nil
    }

    /// Records a prepared layer (nil: preparation failed with `failure`).
    public mutating func completePreparation(_ item: WorkItem, result: PreparedLayer?, failure: String? = nil) {
        guard var job = jobs[item.job] else { return }
        job.running -= 1
        if let result { job.prepared[item.layer] = result } else { job.failedLayers[item.layer] = failure ?? "failed" }
        if job.ready.isEmpty && job.running == 0 && job.stage == .preparing {
            job.ready = job.estimateItems
            job.stage = job.ready.isEmpty ? .finished : .estimating
        }
        jobs[item.job] = job
        collectFinished()
    }

    /// Records an estimate (nil: the estimator failed; the point is left out).
    public mutating func completeEstimate(_ item: WorkItem, point: SeriesPoint?) {
        completeEstimates(item, points: point.map { [$0] } ?? [])
    }

    /// Records the estimates of one item (a binning pair gives two).
    public mutating func completeEstimates(_ item: WorkItem, points: [SeriesPoint]) {
        guard var job = jobs[item.job] else { return }
        job.running -= 1
        job.points += points
        if job.ready.isEmpty && job.running == 0 { job.stage = .finished }
        jobs[item.job] = job
        collectFinished()
    }

    /// Frames finished since the last call, in queue order.
    public mutating func takeFinished() -> [FinishedFrame] {
        collectFinished()
        defer { finished = [] }
        return finished
    }

    /// Drops every waiting frame (shutting down without draining). Returns their keys.
    public mutating func dropWaiting() -> [FrameKey] {
        let waiting = order.filter { jobs[$0]?.stage == .waiting }
        let keys = waiting.compactMap { jobs[$0]?.frame.key }
        for id in waiting { jobs[id] = nil }
        order.removeAll { jobs[$0] == nil }
        return keys
    }

    private mutating func start(_ job: inout FrameJob) {
        job.ready = job.layersToPrepare.map { WorkItem(job: job.id, kind: .prepare(layer: $0)) }
        job.stage = job.ready.isEmpty ? .finished : .preparing
    }

    private mutating func collectFinished() {
        let done = order.filter { jobs[$0]?.stage == .finished }
        guard !done.isEmpty else { return }
        for id in done {
            guard let job = jobs.removeValue(forKey: id) else { continue }
            let fitted = job.prepared.filter { $0.value.fittedHere }.mapValues(\.projection)
            finished.append(FinishedFrame(key: job.frame.key, partial: job.frame.partial,
                                          points: job.points.sorted(by: Self.pointOrder), queuedAt: job.queuedAt,
                                          fitted: fitted, kernelSigmas: job.prepared.compactMapValues(\.kernelSigma),
                                          preparationSeconds: job.prepared.mapValues(\.seconds),
                                          shapes: job.prepared.mapValues { ($0.raw.rows, $0.compressed.columns) },
                                          failedLayers: job.failedLayers, settings: job.settings))
        }
        order.removeAll { jobs[$0] == nil }
    }

    static func pointOrder(_ a: SeriesPoint, _ b: SeriesPoint) -> Bool {
        (a.layer, a.metric, a.estimator) < (b.layer, b.metric, b.estimator)
    }
}
