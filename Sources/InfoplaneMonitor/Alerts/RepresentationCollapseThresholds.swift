/// Settings of `representation_collapse` (`[alerts.representation_collapse]`).
public struct RepresentationCollapseThresholds: Sendable, Equatable, Codable {
    public var enabled = true
    /// The smoothed DSE must fall below the highest smoothed value of the last `window`
    /// evaluations by this fraction of it... Default 0.30.
    public var relativeDrop = 0.30
    /// ...and by at least this many bits. Default 0.1 bit.
    public var absoluteFloorBits = 0.1
    /// ...and by at least this many times the series' own noise (robust standard deviation
    /// of its raw values, see Documentation/alerts.md), so that a noisy estimator needs a
    /// proportionally clearer signal. Default 6.
    public var noiseMultiplier = 6.0
    /// How many evaluations back "sharply" looks. Default 5.
    public var window = 5
    /// Consecutive evaluations the drop must hold. Default 2.
    public var confirmEvaluations = 2
    /// The episode ends when the smoothed DSE has recovered half of the drop for this many
    /// consecutive evaluations. Default 2.
    public var rearmEvaluations = 2

    public init() {}

    func validate() throws(AlertConfigurationError) {
        let p = "representation_collapse."
        try AlertConfigurationError.require(noiseMultiplier >= 0, p + "noise_multiplier", "a number >= 0")
        try AlertConfigurationError.fraction(relativeDrop, p + "relative_drop")
        try AlertConfigurationError.require(absoluteFloorBits >= 0, p + "absolute_floor_bits", "a number of bits >= 0")
        try AlertConfigurationError.require(window >= 1, p + "window", "an integer >= 1")
        try AlertConfigurationError.require(confirmEvaluations >= 1, p + "confirm_evaluations", "an integer >= 1")
        try AlertConfigurationError.require(rearmEvaluations >= 1, p + "rearm_evaluations", "an integer >= 1")
    }
}
