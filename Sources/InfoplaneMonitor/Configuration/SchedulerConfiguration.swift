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

    public init(workers: Int = 0, maxQueuedFramesPerStream: Int = 2, tickSeconds: Double = 1) {
        self.workers = workers
        self.maxQueuedFramesPerStream = maxQueuedFramesPerStream
        self.tickSeconds = tickSeconds
    }

    /// `workers`, or cores − 1 (at least 1) when 0.
    public var effectiveWorkers: Int {
        workers > 0 ? workers : max(1, SystemCores.active - 1)
    }

    enum CodingKeys: String, CodingKey {
        case workers
        case maxQueuedFramesPerStream = "max_queued_frames_per_stream"
        case tickSeconds = "tick_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? d.workers
        maxQueuedFramesPerStream = try c.decodeIfPresent(Int.self, forKey: .maxQueuedFramesPerStream) ?? d.maxQueuedFramesPerStream
        tickSeconds = try c.decodeIfPresent(Double.self, forKey: .tickSeconds) ?? d.tickSeconds
    }
}

/// Active processor count.
enum SystemCores {
    static var active: Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }
}
#if canImport(Glibc)
import Glibc
#endif
