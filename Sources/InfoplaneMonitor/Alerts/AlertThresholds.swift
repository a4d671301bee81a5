/// Every setting of the alert rules, with documented defaults (Documentation/alerts.md).
/// The daemon's `[alerts]` TOML section maps onto it (`ConfigurationCoding`: snake_case
/// keys, a missing key takes its default, so an empty section is valid).
///
/// ```toml
/// [alerts]
/// smoothing_window = 5
/// ignore_partial_frames = true
/// [alerts.compression_onset]
/// relative_drop = 0.10
/// [alerts.overfitting]
/// min_samples_binning = 1000
/// [alerts.representation_collapse]
/// relative_drop = 0.30
/// [alerts.client_stalled]
/// factor = 5
/// ```
public struct AlertThresholds: Sendable, Equatable, Codable {
    /// Evaluations in the trailing median every rule compares (1: no smoothing). Default 5.
    public var smoothingWindow: Int = 5
    /// Points estimated on an incomplete frame are not fed to the rules. Default true.
    public var ignorePartialFrames: Bool = true
    /// Evaluations kept per series for look-backs and evidence. Default 4096.
    public var historyLimit: Int = 4096
    public var compressionOnset = CompressionOnsetThresholds()
    public var overfitting = OverfittingThresholds()
    public var representationCollapse = RepresentationCollapseThresholds()
    public var clientStalled = ClientStalledThresholds()

    public init() {}

    /// Throws at the first value out of its range, naming the key and the range.
    public func validate() throws(AlertConfigurationError) {
        try AlertConfigurationError.require(smoothingWindow >= 1, "smoothing_window", "an integer >= 1")
        try AlertConfigurationError.require(historyLimit >= 16, "history_limit", "an integer >= 16")
        try compressionOnset.validate()
        try overfitting.validate()
        try representationCollapse.validate()
        try clientStalled.validate()
    }
}

/// A value of the `[alerts]` configuration out of its range.
public struct AlertConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var expected: String

    public var description: String {
        "invalid alert threshold '\(key)': it must be \(expected); fix it in the [alerts] section of the configuration file or remove it to use the default"
    }

    static func require(_ ok: Bool, _ key: String, _ expected: String) throws(AlertConfigurationError) {
        if !ok { throw AlertConfigurationError(key: key, expected: expected) }
    }

    static func fraction(_ v: Double, _ key: String) throws(AlertConfigurationError) {
        try require(v > 0 && v < 1, key, "a fraction strictly between 0 and 1")
    }
}
