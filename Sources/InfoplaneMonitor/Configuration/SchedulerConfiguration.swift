import Foundation
import InfoplaneEstimators

/// The estimation worker pool; the daemon's TOML section `[scheduler]` maps onto it
/// (`ConfigurationCoding`).
public struct SchedulerConfiguration: Sendable, Codable, Equatable {
    /// Concurrent estimation workers; 0 = the number of active cores − 1, at least 1.
    /// Default 0.
    public var workers = 0
    /// Frames of one run held in memory for the workers (being estimated or next in line);
    /// the run's other waiting frames wait in the waiting-frame store, not in memory.
    /// Default 3.
    public var framesInMemoryPerRun = 3
    /// Bytes of one run's frames waiting for estimation (in their stored form). A frame that
    /// would go over thins the run's waiting frames by a step grid (`FrameBacklog`).
    /// Default 1 GiB.
    public var maxWaitingFrameBytesPerRun = 1 << 30
    /// Bytes of every run's waiting frames together. Default 4 GiB.
    public var maxWaitingFrameBytes = 4 << 30
    /// Seconds between checks for frames past their assembly timeout. Default 1.
    public var tickSeconds = 1.0
    /// On graceful shutdown, seconds the pool keeps estimating what is queued; after that it
    /// starts no more work, stores what is done (finished frames, and the estimates already
    /// computed of frames in progress) and returns, counting and logging what was left
    /// unestimated. Bounds the daemon's stop time whatever the backlog (a
    /// frame of 50,000 layers used to hold SIGTERM for over a minute). 0 = stop at once.
    /// Default 10.
    public var shutdownGraceSeconds = 10.0

    public init() {}

    /// Throws for a value with which frames could not wait or be estimated.
    public func validate() throws(RunOptionError) {
        try SettingRange.check("workers", workers, 0...1024, "0 means cores − 1")
        try SettingRange.check("frames_in_memory_per_run", framesInMemoryPerRun, 1...1024)
        try SettingRange.check("max_waiting_frame_bytes_per_run", maxWaitingFrameBytesPerRun, (1 << 20)...(1 << 44))
        try SettingRange.check("max_waiting_frame_bytes", maxWaitingFrameBytes, (1 << 20)...(1 << 46))
    }

    /// `shutdownGraceSeconds` as used: negative or NaN is 0 (stop at once), +∞ waits for
    /// everything queued (the behaviour before the grace existed).
    public var effectiveShutdownGraceSeconds: Double {
        shutdownGraceSeconds > 0 ? shutdownGraceSeconds : 0
    }

    /// `tickSeconds` as a duration.
    public var tickInterval: Duration { .seconds(clamping: tickSeconds) }

    /// The shutdown grace as a duration; nil for +∞ (wait for everything queued).
    public var shutdownGrace: Duration? {
        let grace = effectiveShutdownGraceSeconds
        return grace.isFinite ? .seconds(clamping: grace) : nil
    }

    /// `workers`, or cores − 1 (at least 1) when 0.
    public var effectiveWorkers: Int {
        workers > 0 ? workers : max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    }
}

