import Foundation
import InfoplaneEstimators

/// The estimation worker pool; the daemon's TOML section `[scheduler]` maps onto it
/// (`ConfigurationCoding`).
public struct SchedulerConfiguration: Sendable, Codable, Equatable {
    /// Concurrent estimation workers; 0 = the number of active cores − 1, at least 1.
    /// Default 0.
    public var workers = 0
    /// Frames of one run and split waiting for a worker; one more drops the oldest waiting
    /// (latest wins). Counted per (run, split) so that a run's validation frames do not
    /// push out its training frames of the same step. Default 2.
    public var maxQueuedFramesPerStream = 2
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

