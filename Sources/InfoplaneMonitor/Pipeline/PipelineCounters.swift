import Foundation

/// A snapshot of the pipeline's counters and gauges, for /metrics, `infoplane status` and
/// systemd's STATUS line. Counters count since the pipeline started.
public struct PipelineCounters: Sendable, Equatable, Codable {
    /// Assembly: chunks and frames (see `AssemblyCounters`).
    public var assembly = AssemblyCounters()
    /// Frames not kept because their run's waiting frames were over budget and their step
    /// was off the thinning grid (`FrameBacklog`), refused or removed while waiting.
    public var framesThinned = 0
    /// Assembled frames saved to the waiting-frame store; saves that failed (those frames
    /// are estimated from memory); frames that could not be read back (skipped); frames
    /// found there at start-up and resumed.
    public var waitingFramesSaved = 0
    public var waitingFramesNotSaved = 0
    public var waitingFramesUnreadable = 0
    public var waitingFramesResumed = 0
    /// Frames whose estimates were all computed and stored.
    public var framesEstimated = 0
    /// Of those, partial frames.
    public var framesEstimatedPartial = 0
    /// Points written to the store (estimates and compression records).
    public var pointsWritten = 0
    /// Estimates that failed (too few samples, degenerate data); their points are missing.
    public var estimatesFailed = 0
    /// Layers whose compression failed.
    public var preparationsFailed = 0
    /// Seconds spent in estimators (sum over points).
    public var estimationSeconds = 0.0
    /// Seconds spent preparing layers (conversion, compression, kernel σ).
    public var preparationSeconds = 0.0
    /// Seconds from a frame's queuing to its points being stored: last and largest.
    public var lastFrameLatencySeconds = 0.0
    public var maxFrameLatencySeconds = 0.0
    public var scalarsWritten = 0
    /// Graceful shutdown past its grace (`[scheduler] shutdown_grace_seconds`): frames left
    /// with no estimate at all (queued, or started without a point yet), and frames whose
    /// estimates done by then were stored without the rest (both logged).
    public var framesNotEstimatedAtShutdown = 0
    public var framesInterruptedAtShutdown = 0
    /// Chunks binned as they arrived (`FrameLayer.binned`), and rows whose binning estimates
    /// used them instead of binning at estimation.
    public var chunksBinnedOnArrival = 0
    public var rowsBinnedOnArrival = 0
    public var alertsRaised = 0
    /// Failed store writes, retries included (a frame's points wait for a retry; a client's
    /// scalars or Hello are refused with ERROR_CODE_STORE_FULL / STORE_UNAVAILABLE; logged).
    public var storeErrors = 0
    /// Points of acknowledged frames given up because the store could not write them: the
    /// retry queue was full, or the daemon stopped first (logged).
    public var pointsLost = 0
    /// Frames (and their points) waiting for the store to write again.
    public var framesAwaitingStore = 0
    public var pointsAwaitingStore = 0
    /// Set while store writes fail, nil once one succeeds again.
    public var storeWriteFailure: StoreWriteFailure?
    /// Gauges.
    public var framesInAssembly = 0
    /// Frames handed to the workers, not started.
    public var queueDepth = 0
    /// Frames assembled and not yet estimated (in memory or in the waiting-frame store), and
    /// their bytes.
    public var framesWaiting = 0
    public var waitingFrameBytes = 0
    /// How far each run's estimation is behind its newest frame.
    public var lag: [String: EstimationLag] = [:]
    /// Frames being estimated.
    public var framesActive = 0
    public var workers = 0
    public var runs = 0

    public init() {}

    /// Frames dropped for any reason.
    public var framesDropped: Int {
        assembly.framesDroppedTimeout + assembly.framesDroppedUnusable + assembly.framesDroppedAssemblyLimit + framesThinned
    }

    /// The largest lag of any run, in steps (0 when nothing waits).
    public var maxLagSteps: Int64 { lag.values.map(\.steps).max() ?? 0 }

    /// One line for systemd's STATUS=.
    public var statusLine: String {
        "frames: \(framesEstimated) estimated (\(framesEstimatedPartial) partial), \(framesWaiting) waiting (lag \(maxLagSteps) steps), \(framesDropped) dropped, active \(framesActive); points \(pointsWritten); alerts \(alertsRaised); last frame \(String(format: "%.2f", lastFrameLatencySeconds)) s"
    }
}
