import InfoplaneEstimators

/// Settings of `overfitting` (`[alerts.overfitting]`).
public struct OverfittingThresholds: Sendable, Equatable, Codable {
    public var enabled = true
    /// Information signal: since the validation I(T;Y) peaked, the gap train − validation
    /// must have grown by this fraction of the validation peak... Default 0.10.
    public var relativeGapGrowth = 0.10
    /// ...and by at least this many bits. Default 0.1 bit.
    public var absoluteFloorBits = 0.1
    /// ...and by at least this many times the series' own noise (robust standard deviation
    /// of its raw values, see Documentation/alerts.md), so that a noisy estimator needs a
    /// proportionally clearer signal. Default 6.
    public var noiseMultiplier = 6.0
    /// Binning estimates on fewer samples than this (in either split) are ignored: plug-in
    /// binning on few samples puts every sample in its own bin and pins I(T;Y) at H(Y).
    /// Default 1000.
    public var minSamplesBinning = 1000
    /// Any estimator's points on fewer samples than this are ignored. Default 100.
    public var minSamples = 100
    /// Loss signal: the smoothed validation loss must have risen above its minimum by this
    /// fraction of the minimum... Default 0.10.
    public var lossRelativeRise = 0.10
    /// ...and by at least this much (loss units). Default 0.02.
    public var lossAbsoluteFloor = 0.02
    /// Consecutive evaluations a signal must hold. Default 3.
    public var confirmEvaluations = 3
    /// Consecutive evaluations below half the threshold that end the episode. Default 2.
    public var rearmEvaluations = 2
    /// Estimators whose I(T;Y) the rule watches; empty: all. Default empty.
    public var estimators: [EstimatorName] = []

    public init() {}

    func validate() throws(AlertConfigurationError) {
        let p = "overfitting."
        try AlertConfigurationError.require(noiseMultiplier >= 0, p + "noise_multiplier", "a number >= 0")
        try AlertConfigurationError.require(relativeGapGrowth > 0, p + "relative_gap_growth", "a fraction > 0")
        try AlertConfigurationError.require(absoluteFloorBits >= 0, p + "absolute_floor_bits", "a number of bits >= 0")
        try AlertConfigurationError.require(minSamplesBinning >= 0, p + "min_samples_binning", "an integer >= 0")
        try AlertConfigurationError.require(minSamples >= 0, p + "min_samples", "an integer >= 0")
        try AlertConfigurationError.require(lossRelativeRise > 0, p + "loss_relative_rise", "a fraction > 0")
        try AlertConfigurationError.require(lossAbsoluteFloor >= 0, p + "loss_absolute_floor", "a number >= 0")
        try AlertConfigurationError.require(confirmEvaluations >= 1, p + "confirm_evaluations", "an integer >= 1")
        try AlertConfigurationError.require(rearmEvaluations >= 1, p + "rearm_evaluations", "an integer >= 1")
    }
}
