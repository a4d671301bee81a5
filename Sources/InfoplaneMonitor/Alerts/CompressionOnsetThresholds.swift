import InfoplaneEstimators

/// Settings of `compression_onset` (`[alerts.compression_onset]`).
public struct CompressionOnsetThresholds: Sendable, Equatable, Codable {
    public var enabled = true
    /// The smoothed I(X;T) must fall below its peak by at least this fraction of the peak. Default 0.10.
    public var relativeDrop = 0.10
    /// ...and by at least this many bits (lesson: a relative drop alone fires on near-zero
    /// series). Default 0.1 bit.
    public var absoluteFloorBits = 0.1
    /// ...and by at least this many times the series' own noise (robust standard deviation
    /// of its raw values, see Documentation/alerts.md), so that a noisy estimator needs a
    /// proportionally clearer signal. Default 6.
    public var noiseMultiplier = 6.0
    /// Consecutive evaluations the drop must hold. Default 3.
    public var confirmEvaluations = 3
    /// The episode ends when the smoothed I(X;T) has risen again from its trough by this
    /// fraction (and by the absolute floor). Default 0.10.
    public var rearmRelativeRise = 0.10
    /// Consecutive evaluations the rise must hold to re-arm. Default 2.
    public var rearmEvaluations = 2
    /// Fitting gate, I(T;Y) part: I(T;Y) must be at least this fraction of its maximum so
    /// far (it "did not fall"). Default 0.9.
    public var labelInformationFraction = 0.9
    /// Fitting gate for runs that report a training accuracy (a `Scalars` value named
    /// `accuracy`/`acc` on split train, see ScalarNames): fitting is done once its smoothed
    /// value reaches this. Default 0.9.
    public var fittingTrainAccuracy = 0.9
    /// Fitting gate for runs without a training accuracy: I(T;Y) has plateaued, i.e. rose by
    /// at most `fittingPlateauRelativeRise` of its value both over the last
    /// `fittingPlateauWindow` evaluations and since step ⌊s·(1 − `fittingPlateauStepFraction`)⌋
    /// (s: the current step). The step span keeps a dense, log-spaced early cadence (many
    /// evaluations a few steps apart) from looking like a plateau. Defaults 5, 0.05, 0.25.
    public var fittingPlateauWindow = 5
    public var fittingPlateauRelativeRise = 0.05
    public var fittingPlateauStepFraction = 0.25
    /// Estimators whose I(X;T) the rule watches; empty: all. Default empty.
    public var estimators: [EstimatorName] = []

    public init() {}

    func validate() throws(AlertConfigurationError) {
        let p = "compression_onset."
        try AlertConfigurationError.require(noiseMultiplier >= 0, p + "noise_multiplier", "a number >= 0")
        try AlertConfigurationError.fraction(relativeDrop, p + "relative_drop")
        try AlertConfigurationError.require(absoluteFloorBits >= 0, p + "absolute_floor_bits", "a number of bits >= 0")
        try AlertConfigurationError.require(confirmEvaluations >= 1, p + "confirm_evaluations", "an integer >= 1")
        try AlertConfigurationError.require(rearmRelativeRise > 0, p + "rearm_relative_rise", "a fraction > 0")
        try AlertConfigurationError.require(rearmEvaluations >= 1, p + "rearm_evaluations", "an integer >= 1")
        try AlertConfigurationError.fraction(labelInformationFraction, p + "label_information_fraction")
        try AlertConfigurationError.require(fittingTrainAccuracy > 0 && fittingTrainAccuracy <= 1,
                                            p + "fitting_train_accuracy", "an accuracy in (0, 1]")
        try AlertConfigurationError.require(fittingPlateauWindow >= 1, p + "fitting_plateau_window", "an integer >= 1")
        try AlertConfigurationError.require(fittingPlateauRelativeRise >= 0, p + "fitting_plateau_relative_rise", "a fraction >= 0")
        try AlertConfigurationError.fraction(fittingPlateauStepFraction, p + "fitting_plateau_step_fraction")
    }
}
