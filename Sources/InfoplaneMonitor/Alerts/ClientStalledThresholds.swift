/// Settings of `client_stalled` (`[alerts.client_stalled]`).
public struct ClientStalledThresholds: Sendable, Equatable, Codable {
    public var enabled = true
    /// A run is stalled when silent for `factor` × its expected interval... Default 5.
    public var factor = 5.0
    /// ...and for at least this many seconds. Default 30.
    public var minSilenceSeconds = 30.0
    /// Messages closer than this to the previous one belong to the same burst (the chunks
    /// and layers of one frame) and do not count as an interval. Default 1 s.
    public var burstSeconds = 1.0
    /// A run "was sending" once this many intervals between bursts were seen. Default 3.
    public var minIntervals = 3
    /// The expected interval is the longest of the last this-many intervals. Default 20.
    public var intervalHistory = 20

    public init() {}

    func validate() throws(AlertConfigurationError) {
        let p = "client_stalled."
        try AlertConfigurationError.require(factor >= 1, p + "factor", "a number >= 1")
        try AlertConfigurationError.require(minSilenceSeconds >= 0, p + "min_silence_seconds", "a number of seconds >= 0")
        try AlertConfigurationError.require(burstSeconds >= 0, p + "burst_seconds", "a number of seconds >= 0")
        try AlertConfigurationError.require(minIntervals >= 1, p + "min_intervals", "an integer >= 1")
        try AlertConfigurationError.require(intervalHistory >= minIntervals, p + "interval_history", "an integer >= min_intervals")
    }
}
