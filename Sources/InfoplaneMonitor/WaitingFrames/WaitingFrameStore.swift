/// A frame kept until its estimates are stored: its key, the options its run was started
/// with (so that a restarted daemon estimates it with the run's settings before the run
/// says Hello again) and the frame in its stored form (`ProbeFrame.encoded()`).
public struct WaitingFrame: Sendable, Equatable {
    public var key: FrameKey
    public var runOptions: [String: String]
    public var bytes: [UInt8]

    public init(key: FrameKey, runOptions: [String: String], bytes: [UInt8]) {
        self.key = key
        self.runOptions = runOptions
        self.bytes = bytes
    }
}

/// Where assembled frames wait for estimation, so that the estimators can run behind
/// training without frames being dropped, and a restarted daemon estimates what was left.
/// A frame is saved when it is assembled and removed once its points are in the series
/// store. The daemon's is a table of its SQLite file (InfoplaneStore); `InMemoryWaitingFrames`
/// keeps them in memory (tests, benchmarks). All methods are safe to call concurrently.
public protocol WaitingFrameStore: Sendable {
    /// Saves a frame (replacing one of the same key).
    func saveWaitingFrame(_ frame: WaitingFrame) async throws
    /// The frame of that key, nil when none is kept.
    func waitingFrame(_ key: FrameKey) async throws -> WaitingFrame?
    /// Removes the frames of these keys (unknown keys are ignored).
    func removeWaitingFrames(_ keys: [FrameKey]) async throws
    /// Every kept frame's key and size in bytes, without reading the frames.
    func waitingFrameSizes() async throws -> [FrameKey: Int]
}

/// Waiting frames kept in memory: nothing survives the process.
public actor InMemoryWaitingFrames: WaitingFrameStore {
    private var frames: [FrameKey: WaitingFrame] = [:]

    public init() {}

    public func saveWaitingFrame(_ frame: WaitingFrame) { frames[frame.key] = frame }
    public func waitingFrame(_ key: FrameKey) -> WaitingFrame? { frames[key] }
    public func removeWaitingFrames(_ keys: [FrameKey]) { for key in keys { frames[key] = nil } }

    public func waitingFrameSizes() -> [FrameKey: Int] { frames.mapValues(\.bytes.count) }
}
