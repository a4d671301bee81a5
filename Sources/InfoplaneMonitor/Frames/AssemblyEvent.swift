/// Why a frame was discarded without estimation.
public enum FrameDropReason: String, Sendable, Codable, CaseIterable {
    /// Incomplete past the timeout with policy `.drop`.
    case timeout
    /// Incomplete past the timeout (or at session end) with nothing usable: no watched
    /// layer, or no sample id common to the layers that came.
    case unusable
    /// The run had `maxFramesInFlightPerRun` frames in assembly and a newer one started.
    case assemblyLimit = "assembly_limit"
    /// The run's waiting frames were over their byte budget and the frame's step is off the
    /// run's thinning grid (`FrameBacklog`).
    case thinned
}

/// What the assembler reports as frames finish.
enum AssemblyEvent: Sendable, Equatable {
    /// Every announced chunk of every layer came (or, with an unknown layer count, the
    /// frame went quiet or the next step started with every present layer whole).
    case completed(ProbeFrame)
    /// Finalised incomplete by timeout or session end, to be estimated on what came.
    case partial(ProbeFrame)
    /// Discarded.
    case dropped(FrameKey, FrameDropReason)

    public var key: FrameKey {
        switch self {
        case .completed(let f), .partial(let f): return f.key
        case .dropped(let k, _): return k
        }
    }
}

/// Counts kept by the assembler since it was created.
public struct AssemblyCounters: Sendable, Equatable, Codable {
    public var chunksAccepted = 0
    /// Chunks repeated with identical contents (ignored: the duplicate is idempotent).
    public var chunksDuplicate = 0
    /// Chunks of a frame already finalised (ignored).
    public var chunksLate = 0
    /// Chunks refused with a `SnapshotRejection`.
    public var chunksRejected = 0
    public var framesCompleted = 0
    public var framesPartial = 0
    public var framesDroppedTimeout = 0
    public var framesDroppedUnusable = 0
    public var framesDroppedAssemblyLimit = 0
    /// Layers discarded from a frame because their sample ids did not match the frame's.
    public var layersMisaligned = 0

    public init() {}
}
