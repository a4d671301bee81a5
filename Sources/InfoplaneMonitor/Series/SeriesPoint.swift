import InfoplaneEstimators

/// One value of one series at one training step: the unit of every time series the daemon
/// keeps. `series` says what was estimated (e.g. metric I(X;T) by estimator `binning` of
/// layer L3 on the probe split), `flags` how far to trust it.
public struct SeriesPoint: Sendable, Equatable, Hashable {
    public var series: SeriesID
    public var step: Int64
    public var value: Double
    /// Unit of `value`.
    public var unit: SeriesUnit
    /// Samples the estimate was computed on.
    public var sampleCount: Int
    /// Dimension of the data the estimator saw (after compression).
    public var dimension: Int
    /// Seconds the estimator took.
    public var seconds: Double
    public var flags: SeriesPointFlags

    public init(series: SeriesID, step: Int64, value: Double, unit: SeriesUnit, sampleCount: Int, dimension: Int,
                seconds: Double, flags: SeriesPointFlags = []) {
        self.series = series
        self.step = step
        self.value = value
        self.unit = unit
        self.sampleCount = sampleCount
        self.dimension = dimension
        self.seconds = seconds
        self.flags = flags
    }

    public var run: String { series.run }
    public var layer: String { series.layer }
    public var split: ProbeSplit { series.split }
    public var metric: Metric { series.metric }
    public var estimator: EstimatorName { series.estimator }
    /// True when the frame was incomplete (`flags` holds `.partialFrame`).
    public var isPartial: Bool { flags.contains(.partialFrame) }
}
