/// What the assembler does with a frame that stays incomplete past its timeout.
public enum IncompleteFramePolicy: String, Sendable, Codable, CaseIterable {
    /// Estimate on the samples that came for every layer that came; points are marked partial.
    case estimatePartial = "estimate_partial"
    /// Discard the frame (counted as dropped, reason timeout).
    case drop
}

/// How probe frames are assembled. Every field has a default; the daemon's TOML section
/// `[assembly]` maps onto it.
public struct AssemblyConfiguration: Sendable, Codable, Equatable {
    /// Seconds a frame may go without receiving a chunk before it is finalised: completed
    /// when its layer count was unknown (0) and every layer present is whole, otherwise
    /// handled by `incompletePolicy`. Default 30 s.
    public var frameTimeoutSeconds: Double
    /// What happens to a frame that timed out incomplete. Default `.estimatePartial`.
    public var incompletePolicy: IncompleteFramePolicy
    /// Frames of one run being assembled at once (all splits). Starting one more drops the
    /// oldest pending frame of that run (counted). Bounds memory by configuration, never by
    /// the client. Default 8.
    public var maxFramesInFlightPerRun: Int
    /// Keys of finished frames remembered per run, so that late or repeated chunks of a
    /// frame already finalised are recognised and ignored rather than starting a new frame.
    /// Default 64.
    public var finishedFramesRemembered: Int
    /// Layers (X, Y and watched layers) one frame may have; a chunk of a layer past it is
    /// refused (`TOO_MANY_LAYERS`). Bounds the work and memory one frame can ask for.
    /// Default 4096.
    public var maxLayersPerFrame: Int
    /// Bytes of values (4 per value) that the frames being assembled may hold, per run and
    /// in total. A chunk past either is refused (`MEMORY_BUDGET_EXCEEDED`, not fatal): a
    /// frame that never completes, or many layers of one step, would otherwise hold every
    /// chunk sent until its timeout. Defaults 2 GiB per run, 4 GiB in total.
    public var maxAssemblingBytesPerRun: Int
    public var maxAssemblingBytes: Int

    /// `frameTimeoutSeconds` as a duration (negative or NaN: zero).
    public var frameTimeout: Duration { .seconds(clamping: frameTimeoutSeconds) }

    public init(frameTimeoutSeconds: Double = 30, incompletePolicy: IncompleteFramePolicy = .estimatePartial,
                maxFramesInFlightPerRun: Int = 8, finishedFramesRemembered: Int = 64, maxLayersPerFrame: Int = 4096,
                maxAssemblingBytesPerRun: Int = 2 << 30, maxAssemblingBytes: Int = 4 << 30) {
        self.maxLayersPerFrame = maxLayersPerFrame
        self.maxAssemblingBytesPerRun = maxAssemblingBytesPerRun
        self.maxAssemblingBytes = maxAssemblingBytes
        self.frameTimeoutSeconds = frameTimeoutSeconds
        self.incompletePolicy = incompletePolicy
        self.maxFramesInFlightPerRun = maxFramesInFlightPerRun
        self.finishedFramesRemembered = finishedFramesRemembered
    }

    enum CodingKeys: String, CodingKey {
        case frameTimeoutSeconds = "frame_timeout_seconds"
        case incompletePolicy = "incomplete_policy"
        case maxFramesInFlightPerRun = "max_frames_in_flight_per_run"
        case finishedFramesRemembered = "finished_frames_remembered"
        case maxLayersPerFrame = "max_layers_per_frame"
        case maxAssemblingBytesPerRun = "max_assembling_bytes_per_run"
        case maxAssemblingBytes = "max_assembling_bytes"
    }

    /// Missing keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        frameTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .frameTimeoutSeconds) ?? d.frameTimeoutSeconds
        incompletePolicy = try c.decodeIfPresent(IncompleteFramePolicy.self, forKey: .incompletePolicy) ?? d.incompletePolicy
        maxFramesInFlightPerRun = try c.decodeIfPresent(Int.self, forKey: .maxFramesInFlightPerRun) ?? d.maxFramesInFlightPerRun
        finishedFramesRemembered = try c.decodeIfPresent(Int.self, forKey: .finishedFramesRemembered) ?? d.finishedFramesRemembered
        maxLayersPerFrame = try c.decodeIfPresent(Int.self, forKey: .maxLayersPerFrame) ?? d.maxLayersPerFrame
        maxAssemblingBytesPerRun = try c.decodeIfPresent(Int.self, forKey: .maxAssemblingBytesPerRun) ?? d.maxAssemblingBytesPerRun
        maxAssemblingBytes = try c.decodeIfPresent(Int.self, forKey: .maxAssemblingBytes) ?? d.maxAssemblingBytes
    }
}
