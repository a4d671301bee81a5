import InfoplaneEstimators

/// The estimation worker pool; the daemon's TOML section `[scheduler]` maps onto it.
public struct SchedulerConfiguration: Sendable, Codable, Equatable {
    /// Concurrent estimation workers; 0 = the number of active cores − 1, at least 1.
    /// Default 0.
    public var workers: Int
    /// Frames of one run and split waiting for a worker; one more drops the oldest waiting
    /// (latest wins). Counted per (run, split) so that a run's validation frames do not
    /// push out its training frames of the same step. Default 2.
    public var maxQueuedFramesPerStream: Int
    /// Seconds between checks for frames past their assembly timeout. Default 1.
    public var tickSeconds: Double
    /// On graceful shutdown, seconds the pool keeps estimating what is queued; after that it
    /// starts no more work, stores what is done (finished frames, and the estimates already
    /// computed of frames in progress) and returns, counting and logging what was left
    /// unestimated. Bounds the daemon's stop time whatever the backlog (a
    /// frame of 50,000 layers used to hold SIGTERM for over a minute). 0 = stop at once.
    /// Default 10.
    public var shutdownGraceSeconds: Double

    public init(workers: Int = 0, maxQueuedFramesPerStream: Int = 2, tickSeconds: Double = 1,
                shutdownGraceSeconds: Double = 10) {
        self.workers = workers
        self.maxQueuedFramesPerStream = maxQueuedFramesPerStream
        self.tickSeconds = tickSeconds
        self.shutdownGraceSeconds = shutdownGraceSeconds
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
        workers > 0 ? workers : max(1, ProcessInfoCores.active - 1)
    }

    enum CodingKeys: String, CodingKey {
        case workers
        case maxQueuedFramesPerStream = "max_queued_frames_per_stream"
        case tickSeconds = "tick_seconds"
        case shutdownGraceSeconds = "shutdown_grace_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? d.workers
        maxQueuedFramesPerStream = try c.decodeIfPresent(Int.self, forKey: .maxQueuedFramesPerStream) ?? d.maxQueuedFramesPerStream
        tickSeconds = try c.decodeIfPresent(Double.self, forKey: .tickSeconds) ?? d.tickSeconds
        shutdownGraceSeconds = try c.decodeIfPresent(Double.self, forKey: .shutdownGraceSeconds) ?? d.shutdownGraceSeconds
    }
}

