/// What the assembler does with a frame that stays incomplete past its timeout.
public enum IncompleteFramePolicy: String, Sendable, Codable, CaseIterable {
    /// Estimate on the samples that came for every layer that came; points are marked partial.
    case estimatePartial = "estimate_partial"
    /// Discard the frame (counted as dropped, reason timeout).
    case drop
}

/// How probe frames are assembled. Every field has a default; the daemon's TOML section
/// `[assembly]` maps onto it (`ConfigurationCoding`).
public struct AssemblyConfiguration: Sendable, Codable, Equatable {
    /// Seconds a frame may go without receiving a chunk before it is finalised: completed
    /// when its layer count was unknown (0) and every layer present is whole, otherwise
    /// handled by `incompletePolicy`. Default 30 s.
    public var frameTimeoutSeconds = 30.0
    /// What happens to a frame that timed out incomplete. Default `.estimatePartial`.
    public var incompletePolicy = IncompleteFramePolicy.estimatePartial
    /// Frames of one run being assembled at once (all splits). Starting one more drops the
    /// oldest pending frame of that run (counted). Bounds memory by configuration, never by
    /// the client. Default 8.
    public var maxFramesInFlightPerRun = 8
    /// Keys of finished frames remembered per run, so that late or repeated chunks of a
    /// frame already finalised are recognised and ignored rather than starting a new frame.
    /// Default 64.
    public var finishedFramesRemembered = 64
    /// Layers (X, Y and watched layers) one frame may have; a chunk of a layer past it is
    /// refused (`TOO_MANY_LAYERS`). Bounds the work and memory one frame can ask for.
    /// Default 4096.
    public var maxLayersPerFrame = 4096
    /// Bytes of values (4 per value) that the frames being assembled may hold, per run and
    /// in total. A chunk past either is refused (`MEMORY_BUDGET_EXCEEDED`, not fatal): a
    /// frame that never completes, or many layers of one step, would otherwise hold every
    /// chunk sent until its timeout. Defaults 2 GiB per run, 4 GiB in total.
    public var maxAssemblingBytesPerRun = 2 << 30
    public var maxAssemblingBytes = 4 << 30

    /// `frameTimeoutSeconds` as a duration (negative or NaN: zero).
    public var frameTimeout: Duration { .seconds(clamping: frameTimeoutSeconds) }

    public init() {}
}
