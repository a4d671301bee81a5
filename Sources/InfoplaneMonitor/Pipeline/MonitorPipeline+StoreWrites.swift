import Foundation
import Logging

/// Where the monitor's writes stand: the frames waiting to be written (in order, oldest
/// first, bounded by `retryPointsLimit`), whether writes currently fail and since when,
/// and the turn that keeps frame writes one at a time and in order.
struct StoreWriteState: Sendable {
    /// Points of acknowledged frames kept in memory while the store cannot write them
    /// (about 150 bytes each). Beyond it the oldest frames' points are given up and counted.
    static let defaultRetryPoints = 100_000
    /// Time between retries of the waiting frames when nothing else is written.
    static let retryInterval = Duration.seconds(5)
    /// Time between repeated log lines while writes keep failing or points are lost.
    static let logInterval = Duration.seconds(60)

    var retryPointsLimit = defaultRetryPoints
    var queue: [FinishedFrame] = []
    var queuedPoints = 0
    var failure: StoreWriteFailure?
    var lastRetryAt: Duration?
    var lastFailureLogAt: Duration?
    var failuresSinceLog = 0
    var lastLossLogAt: Duration?
    var framesLostSinceLog = 0
    var pointsLostSinceLog = 0
    /// Set when a write succeeded while frames wait: the next idle worker retries them.
    var retryRequested = false
    var turnTaken = false
    var turnWaiters: [CheckedContinuation<Void, Never>] = []

    /// True when `interval` has passed since `last`, or it never happened.
    static func isDue(since last: Duration?, every interval: Duration, now: Duration) -> Bool {
        guard let last else { return true }
        return now - last >= interval
    }
}

/// Set while the store's writes fail (frames, scalars, runs or alerts), cleared by the next
/// write that succeeds: `/healthz` reports it as `degraded`.
public struct StoreWriteFailure: Sendable, Equatable, Codable {
    public var kind: StoreFailure.Kind
    /// The last failure, as the clients were told.
    public var message: String
    /// When the first failure of this episode happened.
    public var since: Date
    /// Writes failed since then (retries included).
    public var failedWrites: Int

    public init(kind: StoreFailure.Kind, message: String, since: Date, failedWrites: Int) {
        self.kind = kind
        self.message = message
        self.since = since
        self.failedWrites = failedWrites
    }
}

extension MonitorPipeline {
    /// Sets how many points of acknowledged frames are kept for a retry while the store
    /// cannot write (`[store] max_retry_points`); 0 gives them up at the first failure.
    public func setStoreRetryLimit(points: Int) {
        storeWrites.retryPointsLimit = max(0, points)
    }

    /// Writes a finished frame's points, after every frame still waiting (they keep their
    /// order). A frame that cannot be written waits in the retry queue; it is retried with
    /// the next frame, after another write succeeds, and every `retryInterval`.
    func store(_ frame: FinishedFrame) async {
        await takeWriteTurn()
        storeWrites.queue.append(frame)
        storeWrites.queuedPoints += frame.pointsToStore.count
        await writeQueuedFrames()
        releaseWriteTurn()
        framesStoring -= 1
        signalIfDrained()
    }

    /// Retries the waiting frames when they are due (`tick`), or at once.
    func retryStoreWrites(force: Bool = false) async {
        if force { storeWrites.retryRequested = false }
        guard !storeWrites.queue.isEmpty else { return }
        let now = clock.now
        guard force || StoreWriteState.isDue(since: storeWrites.lastRetryAt, every: StoreWriteState.retryInterval, now: now) else { return }
        await takeWriteTurn()
        await writeQueuedFrames()
        releaseWriteTurn()
        signalIfDrained()
    }

    /// At shutdown: one more try, then whatever still waits is lost (counted and logged).
    func abandonStoreWrites() async {
        await retryStoreWrites(force: true)
        guard !storeWrites.queue.isEmpty else { return }
        await takeWriteTurn()
        let frames = storeWrites.queue.count
        let points = storeWrites.queuedPoints
        let steps = storeWrites.queue.map { "\($0.key.run)@\($0.key.step)" }
        while !storeWrites.queue.isEmpty { await dropOldestQueuedFrame() }
        logger.error("stopping while the store cannot write: the points of acknowledged frames are lost", metadata: [
            "frames": "\(frames)", "points": "\(points)", "points_lost_total": "\(counters.pointsLost)",
            "frames_lost": "\(steps.prefix(20).joined(separator: ","))\(steps.count > 20 ? ",…" : "")",
            "reason": "\(storeWrites.failure?.message ?? "store unavailable")",
        ])
        releaseWriteTurn()
    }

    /// Writes the queue from its head, one frame per transaction, until it is empty or a
    /// write fails; then bounds it. Holds the write turn.
    private func writeQueuedFrames() async {
        storeWrites.lastRetryAt = clock.now
        while let head = storeWrites.queue.first {
            let points = head.pointsToStore
            // The points, and the frame taken out of the waiting frames, in one transaction.
            do {
                try await store.appendFrame(points, completing: head.key)
                storeWriteSucceeded()
            } catch {
                let failure = StoreFailure(error, operation: "the \(points.count) points of step \(head.key.step) of run '\(head.key.run)'")
                guard let failure else {
                    // Not the store's fault (a value it refuses): that frame is dropped.
                    counters.storeErrors += 1
                    logger.error("storing a frame failed; its points are lost", metadata: [
                        "run": "\(head.key.run)", "step": "\(head.key.step)", "split": "\(head.key.split.rawValue)",
                        "points": "\(points.count)", "error": "\(error)",
                    ])
                    storeWrites.queue.removeFirst()
                    storeWrites.queuedPoints -= points.count
                    frameLeftQueue(head.key.run)
                    await frameLeftBacklog(head.key, estimated: false, removeFromStore: true)
                    continue
                }
                storeWriteFailed(failure)
                logger.debug("frame waits for the store", metadata: [
                    "run": "\(head.key.run)", "step": "\(head.key.step)", "split": "\(head.key.split.rawValue)",
                    "frames_waiting": "\(storeWrites.queue.count)", "points_waiting": "\(storeWrites.queuedPoints)",
                ])
                while storeWrites.queuedPoints > storeWrites.retryPointsLimit, !storeWrites.queue.isEmpty {
                    await dropOldestQueuedFrame()
                }
                return
            }
            storeWrites.queue.removeFirst()
            storeWrites.queuedPoints -= points.count
            await stored(head)
        }
    }

    /// Counters, events and alerts of a frame whose points are in the store.
    private func stored(_ frame: FinishedFrame) async {
        let points = frame.pointsToStore
        counters.pointsWritten += points.count
        counters.framesEstimated += 1
        if frame.partial { counters.framesEstimatedPartial += 1 }
        let latency = (clock.now - frame.queuedAt).inSeconds
        counters.lastFrameLatencySeconds = latency
        counters.maxFrameLatencySeconds = max(counters.maxFrameLatencySeconds, latency)
        if !points.isEmpty { events.publish(.points(points)) }
        logger.debug("frame estimated", metadata: [
            "run": "\(frame.key.run)", "step": "\(frame.key.step)", "split": "\(frame.key.split.rawValue)",
            "points": "\(points.count)", "seconds": "\(String(format: "%.3f", latency))", "partial": "\(frame.partial)",
        ])
        await raise(alertsFor(points: frame.points))
        frameLeftQueue(frame.key.run)
        await frameLeftBacklog(frame.key, estimated: true, removeFromStore: true)
    }

    /// Gives up the oldest frame waiting for the store. The frame itself stays in the
    /// waiting-frame store: a restarted daemon estimates it again.
    private func dropOldestQueuedFrame() async {
        let lost = storeWrites.queue.removeFirst()
        storeWrites.queuedPoints -= lost.pointsToStore.count
        counters.pointsLost += lost.pointsToStore.count
        storeWrites.framesLostSinceLog += 1
        storeWrites.pointsLostSinceLog += lost.pointsToStore.count
        let now = clock.now
        if StoreWriteState.isDue(since: storeWrites.lastLossLogAt, every: StoreWriteState.logInterval, now: now) {
            logger.error("the store cannot write and the retry queue is full: the points of the oldest acknowledged frames are lost", metadata: [
                "run": "\(lost.key.run)", "step": "\(lost.key.step)", "split": "\(lost.key.split.rawValue)",
                "frames": "\(storeWrites.framesLostSinceLog)", "points": "\(storeWrites.pointsLostSinceLog)",
                "points_lost_total": "\(counters.pointsLost)", "retry_limit_points": "\(storeWrites.retryPointsLimit)",
            ])
            storeWrites.lastLossLogAt = now
            storeWrites.framesLostSinceLog = 0
            storeWrites.pointsLostSinceLog = 0
        }
        frameLeftQueue(lost.key.run)
        await frameLeftBacklog(lost.key, estimated: false, removeFromStore: false)
    }

    private func frameLeftQueue(_ run: String) {
        framesStoringByRun[run, default: 1] -= 1
        if framesStoringByRun[run] == 0 { framesStoringByRun[run] = nil }
        endRunIfDone(run)
    }

    // MARK: - Health of the store's writes

    /// A write succeeded: the store is healthy again; frames waiting are retried soon.
    func storeWriteSucceeded() {
        guard let failure = storeWrites.failure else { return }
        storeWrites.failure = nil
        logger.notice("store writes succeed again", metadata: [
            "failing_seconds": "\(String(format: "%.1f", clock.wallTime.timeIntervalSince(failure.since)))",
            "failed_writes": "\(failure.failedWrites)", "frames_waiting": "\(storeWrites.queue.count)",
            "points_lost_total": "\(counters.pointsLost)",
        ])
        if !storeWrites.queue.isEmpty, !storeWrites.turnTaken {
            storeWrites.retryRequested = true
            wakeWorkers()
        }
    }

    /// Records a failed write: counted, shown by /healthz, logged (the first of an episode,
    /// then at most once a minute).
    func storeWriteFailed(_ failure: StoreFailure) {
        counters.storeErrors += 1
        let now = clock.now
        if var current = storeWrites.failure {
            current.kind = failure.kind
            current.message = failure.description
            current.failedWrites += 1
            storeWrites.failure = current
            storeWrites.failuresSinceLog += 1
            guard StoreWriteState.isDue(since: storeWrites.lastFailureLogAt, every: StoreWriteState.logInterval, now: now) else { return }
            logger.error("store writes still fail", metadata: [
                "kind": "\(failure.kind.rawValue)", "failed_writes": "\(current.failedWrites)",
                "since": "\(current.since)", "frames_waiting": "\(storeWrites.queue.count)",
                "points_waiting": "\(storeWrites.queuedPoints)", "points_lost_total": "\(counters.pointsLost)",
                "error": "\(failure.description)",
            ])
        } else {
            storeWrites.failure = StoreWriteFailure(kind: failure.kind, message: failure.description,
                                                    since: clock.wallTime, failedWrites: 1)
            logger.error(failure.kind == .full
                         ? "store writes fail: the disk is full; clients are told ERROR_CODE_STORE_FULL, frames wait for a retry; free space on the state directory's filesystem (no restart needed)"
                         : "store writes fail; clients are told ERROR_CODE_STORE_UNAVAILABLE, frames wait for a retry (no restart needed)",
                         metadata: ["kind": "\(failure.kind.rawValue)", "error": "\(failure.description)"])
        }
        storeWrites.lastFailureLogAt = now
        storeWrites.failuresSinceLog = 0
    }

    /// Runs a write of a client's message (a run, scalars): records its outcome and turns a
    /// store failure into a `StoreFailure` for the ingest server's error code.
    func clientWrite<T: Sendable>(_ operation: @autoclosure () -> String, _ body: () async throws -> T) async throws -> T {
        do {
            let value = try await body()
            storeWriteSucceeded()
            return value
        } catch {
            guard let failure = StoreFailure(error, operation: operation()) else { throw error }
            storeWriteFailed(failure)
            throw failure
        }
    }

    // MARK: - The write turn (frames one at a time, in order)

    private func takeWriteTurn() async {
        guard storeWrites.turnTaken else {
            storeWrites.turnTaken = true
            return
        }
        await withCheckedContinuation { storeWrites.turnWaiters.append($0) }
    }

    private func releaseWriteTurn() {
        if storeWrites.turnWaiters.isEmpty {
            storeWrites.turnTaken = false
        } else {
            storeWrites.turnWaiters.removeFirst().resume()  // handed over: stays taken
        }
    }
}
