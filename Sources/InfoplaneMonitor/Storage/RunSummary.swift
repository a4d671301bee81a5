/// What a run holds, summed up by the store without loading its points: each series'
/// extent, the newest scalars per split and how many alerts it raised.
public struct RunSummary: Sendable, Equatable {
    /// One entry per stored series, ordered by (layer, metric, estimator, split).
    public var series: [SeriesSummary]
    /// The newest scalars record of each split (its largest step), ordered by split.
    public var latestScalars: [ScalarRecord]
    public var alertCount: Int

    public init(series: [SeriesSummary] = [], latestScalars: [ScalarRecord] = [], alertCount: Int = 0) {
        self.series = series
        self.latestScalars = latestScalars
        self.alertCount = alertCount
    }

    /// The largest step with a stored point or scalar; nil when nothing is stored.
    public var lastStep: Int64? {
        (series.map(\.lastStep) + latestScalars.map(\.step)).max()
    }
}

/// The extent of one stored series: how many points, from which step to which, the newest value.
public struct SeriesSummary: Sendable, Equatable {
    public var series: SeriesID
    /// The unit of the series' first point.
    public var unit: SeriesUnit
    public var pointCount: Int
    public var firstStep: Int64
    public var lastStep: Int64
    /// The value at `lastStep`.
    public var lastValue: Double

    public init(series: SeriesID, unit: SeriesUnit, pointCount: Int, firstStep: Int64, lastStep: Int64,
                lastValue: Double) {
        self.series = series
        self.unit = unit
        self.pointCount = pointCount
        self.firstStep = firstStep
        self.lastStep = lastStep
        self.lastValue = lastValue
    }
}
