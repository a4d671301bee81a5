import InfoplaneEstimators

/// What a consumer should know about how a point was estimated. Stored as an integer
/// bit set; named in JSON by `names`.
public struct SeriesPointFlags: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The frame was incomplete: estimated on the chunks that came.
    public static let partialFrame = SeriesPointFlags(rawValue: 1 << 0)
    /// The estimate sits at its estimator's ceiling (e.g. log N for binning).
    public static let saturated = SeriesPointFlags(rawValue: 1 << 1)
    /// Too few samples for the dimension the estimator saw (kNN estimators:
    /// `NearestNeighborSampleRule`, N < k · 2^d).
    public static let fewSamples = SeriesPointFlags(rawValue: 1 << 2)
    /// The value is a lower bound of the quantity, not an estimate of it.
    public static let lowerBound = SeriesPointFlags(rawValue: 1 << 3)

    /// Every flag with its name, in bit order.
    public static let named: [(flag: SeriesPointFlags, name: String)] = [
        (.partialFrame, "partial_frame"), (.saturated, "saturated"), (.fewSamples, "few_samples"),
        (.lowerBound, "lower_bound"),
    ]

    /// The flags of an estimate made on a frame that was (or was not) complete.
    public init(partial: Bool, estimate: Estimate) {
        self = partial ? .partialFrame : []
        if estimate.saturated { insert(.saturated) }
        if estimate.lowerBound { insert(.lowerBound) }
        if estimate.fewSamples { insert(.fewSamples) }
    }

    /// Points that say nothing about the layer (saturated, too few samples): kept and
    /// shown, but not fed to the alert rules.
    public static let untrustworthy: SeriesPointFlags = [.saturated, .fewSamples]

    /// The names of the flags set, in bit order (for JSON).
    public var names: [String] { Self.named.filter { contains($0.flag) }.map(\.name) }
}
