/// The frames waiting for estimation, per run: a pure value the pipeline actor owns, beside
/// the `EstimationScheduler` it feeds.
///
/// **Nothing is dropped while there is room.** Every assembled frame is admitted, saved to
/// the `WaitingFrameStore` and handed to the scheduler in step order, a few at a time
/// (`framesInMemoryPerRun`); the others wait in the store, not in memory. A frame leaves
/// the backlog once its points are stored.
///
/// **Over budget, thinned by a step grid, never by timing.** The bytes of a run's waiting
/// frames are bounded by `maxBytesPerRun`, and all runs' by `maxBytes`. A frame that would
/// go over doubles the run's stride (1, 2, 4, …): waiting frames whose step is not a
/// multiple of the stride are removed, and later frames off the grid are refused, until the
/// run's backlog is empty again (then the stride is back to 1). Which steps survive depends
/// only on the steps; the stride reached depends on how far behind estimation is.
struct FrameBacklog: Sendable {
    /// A frame admitted and not yet handed to the scheduler.
    struct Entry: Sendable {
        var key: FrameKey
        var bytes: Int
        /// The frame, while it is held in memory; nil once it is only in the store.
        var frame: ProbeFrame?
        /// True while its save to the store runs: it is neither handed out nor removed.
        var saving = false
        /// True once the store holds it.
        var saved = false
    }

    /// What is known of one run's waiting frames.
    struct Run: Sendable {
        /// Ordered by (step, split).
        var entries: [Entry] = []
        /// Handed to the scheduler (or being loaded for it) and not yet stored, with their bytes.
        var handedOut: [FrameKey: Int] = [:]
        /// Bytes of `entries` and `handedOut`.
        var bytes = 0
        /// The thinning grid: only steps that are multiples of it are kept. 1 = no thinning.
        var stride: Int64 = 1
        var newestReceivedStep: Int64?
        var newestEstimatedStep: Int64?

        var waitingFrames: Int { entries.count + handedOut.count }
        var isEmpty: Bool { entries.isEmpty && handedOut.isEmpty }
    }

    /// The outcome of admitting a frame.
    enum Admission: Sendable, Equatable {
        /// Admitted. `thinned` are waiting frames removed to make room (their saves are to be
        /// removed from the store); `stride` is the run's stride when it changed.
        case admitted(thinned: [FrameKey], newStride: Int64?)
        /// Refused: its step is off the run's thinning grid (or, at the largest stride,
        /// the budget is still exceeded). `thinned` as above.
        case refused(thinned: [FrameKey], stride: Int64)
    }

    /// The largest stride: beyond it a frame that does not fit is refused.
    static let maximumStride: Int64 = 1 << 40

    var maxBytes: Int
    var maxBytesPerRun: Int
    var framesInMemoryPerRun: Int
    private(set) var runs: [String: Run] = [:]
    private(set) var totalBytes = 0

    init(maxBytes: Int, maxBytesPerRun: Int, framesInMemoryPerRun: Int) {
        self.maxBytes = maxBytes
        self.maxBytesPerRun = maxBytesPerRun
        self.framesInMemoryPerRun = max(1, framesInMemoryPerRun)
    }

    var waitingFrames: Int { runs.values.reduce(0) { $0 + $1.waitingFrames } }
    var isEmpty: Bool { runs.values.allSatisfy(\.isEmpty) }
    func isEmpty(run: String) -> Bool { runs[run]?.isEmpty ?? true }
    func contains(_ key: FrameKey) -> Bool {
        guard let run = runs[key.run] else { return false }
        return run.handedOut[key] != nil || run.entries.contains { $0.key == key }
    }

    /// Admits a frame of `bytes` (held in memory as `frame`, or only in the store when nil,
    /// as for frames found there at start-up), thinning its run when it does not fit.
    mutating func admit(_ key: FrameKey, bytes: Int, frame: ProbeFrame?, saved: Bool = false) -> Admission {
        var run = runs[key.run] ?? Run()
        defer { runs[key.run] = run }
        run.newestReceivedStep = max(run.newestReceivedStep ?? key.step, key.step)
        var thinned: [FrameKey] = []
        var newStride: Int64?
        while run.bytes + bytes > maxBytesPerRun || totalBytes + bytes > maxBytes {
            let thinnable = run.entries.contains { !$0.saving }
            guard thinnable, run.stride < Self.maximumStride else {
                return .refused(thinned: thinned, stride: run.stride)
            }
            run.stride *= 2
            newStride = run.stride
            let stride = run.stride
            var kept: [Entry] = []
            for entry in run.entries {
                if entry.saving || entry.key.step % stride == 0 {
                    kept.append(entry)
                } else {
                    thinned.append(entry.key)
                    run.bytes -= entry.bytes
                    totalBytes -= entry.bytes
                }
            }
            run.entries = kept
        }
        guard key.step % run.stride == 0 else { return .refused(thinned: thinned, stride: run.stride) }
        let entry = Entry(key: key, bytes: bytes, frame: frame, saving: false, saved: saved)
        let at = run.entries.firstIndex { Self.precedes(key, $0.key) } ?? run.entries.endIndex
        run.entries.insert(entry, at: at)
        run.bytes += bytes
        totalBytes += bytes
        return .admitted(thinned: thinned, newStride: newStride)
    }

    /// Marks a frame's save as running (true) or done (false; `saved` says whether it worked).
    mutating func setSaving(_ key: FrameKey, _ saving: Bool, saved: Bool = false) {
        guard let i = runs[key.run]?.entries.firstIndex(where: { $0.key == key }) else { return }
        runs[key.run]!.entries[i].saving = saving
        if !saving { runs[key.run]!.entries[i].saved = saved }
    }

    /// Lets go of the in-memory copies of a run's saved frames beyond the first
    /// `framesInMemoryPerRun` waiting: they are read back from the store when their turn comes.
    mutating func releaseMemory(run: String) {
        guard var r = runs[run] else { return }
        var held = r.handedOut.count
        for i in r.entries.indices where r.entries[i].frame != nil {
            if held < framesInMemoryPerRun || !r.entries[i].saved {
                held += 1
            } else {
                r.entries[i].frame = nil
            }
        }
        runs[run] = r
    }

    /// Takes the run's next frame for the scheduler when it has fewer than
    /// `framesInMemoryPerRun` handed out: the first in step order, once it is saved (a frame
    /// whose save is still running holds back those after it, so that order is kept).
    mutating func takeNext(run: String) -> Entry? {
        guard var r = runs[run], r.handedOut.count < framesInMemoryPerRun,
              let first = r.entries.first, !first.saving else { return nil }
        r.entries.removeFirst()
        r.handedOut[first.key] = first.bytes
        runs[run] = r
        return first
    }

    /// Runs with entries waiting to be handed out, by name.
    var runsWithEntries: [String] { runs.filter { !$0.value.entries.isEmpty }.keys.sorted() }

    /// A frame left the backlog: its points are stored (`estimated`), or it could not be
    /// estimated. Returns true when it was the run's last waiting frame and the run had been
    /// thinned (the stride is back to 1).
    @discardableResult
    mutating func finish(_ key: FrameKey, estimated: Bool) -> Bool {
        guard var r = runs[key.run] else { return false }
        if let bytes = r.handedOut.removeValue(forKey: key) {
            r.bytes -= bytes
            totalBytes -= bytes
        } else if let i = r.entries.firstIndex(where: { $0.key == key }) {
            r.bytes -= r.entries[i].bytes
            totalBytes -= r.entries[i].bytes
            r.entries.remove(at: i)
        }
        if estimated { r.newestEstimatedStep = max(r.newestEstimatedStep ?? key.step, key.step) }
        var strideReset = false
        if r.isEmpty && r.stride > 1 {
            r.stride = 1
            strideReset = true
        }
        runs[key.run] = r
        return strideReset
    }

    /// Forgets a run's waiting frames (the pipeline stopped estimating): returns their keys.
    mutating func removeAll() -> [FrameKey] {
        let keys = runs.values.flatMap { $0.entries.map(\.key) + $0.handedOut.keys }
        for name in runs.keys {
            runs[name]!.entries = []
            runs[name]!.handedOut = [:]
            runs[name]!.bytes = 0
        }
        totalBytes = 0
        return keys
    }

    /// How far behind estimation is, per run with frames received.
    var lag: [String: EstimationLag] {
        runs.compactMapValues { r in
            guard let received = r.newestReceivedStep else { return nil }
            let oldestWaiting = (r.entries.map(\.key.step) + r.handedOut.keys.map(\.step)).min()
            let estimated = r.newestEstimatedStep ?? oldestWaiting ?? received
            return EstimationLag(newestReceivedStep: received, newestEstimatedStep: r.newestEstimatedStep,
                                 steps: r.isEmpty ? 0 : max(0, received - estimated), framesWaiting: r.waitingFrames,
                                 bytesWaiting: r.bytes, thinningStride: r.stride)
        }
    }

    /// Step order within a run: by step, then split.
    static func precedes(_ a: FrameKey, _ b: FrameKey) -> Bool {
        (a.step, a.split.rawValue) < (b.step, b.split.rawValue)
    }
}

/// How far a run's estimation is behind its training: for STATUS=, /metrics, /healthz and
/// the dashboard.
public struct EstimationLag: Sendable, Equatable, Codable {
    /// The newest step of an assembled frame.
    public var newestReceivedStep: Int64
    /// The newest step whose points are stored; nil before the first.
    public var newestEstimatedStep: Int64?
    /// Steps between the newest received frame and the newest estimated one (0 when
    /// nothing waits).
    public var steps: Int64
    /// Frames received and not yet estimated.
    public var framesWaiting: Int
    /// Their bytes in the waiting-frame store.
    public var bytesWaiting: Int
    /// 1 while every frame is kept; 2, 4, … while only steps that are multiples of it are
    /// (the run's waiting frames were over their byte budget).
    public var thinningStride: Int64

    public init(newestReceivedStep: Int64, newestEstimatedStep: Int64?, steps: Int64, framesWaiting: Int,
                bytesWaiting: Int, thinningStride: Int64) {
        self.newestReceivedStep = newestReceivedStep
        self.newestEstimatedStep = newestEstimatedStep
        self.steps = steps
        self.framesWaiting = framesWaiting
        self.bytesWaiting = bytesWaiting
        self.thinningStride = thinningStride
    }
}
