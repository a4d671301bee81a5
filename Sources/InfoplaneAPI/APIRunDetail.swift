/// `GET /v1/runs/{run}`: the run, what series it has, its latest scalars and alert count.
public struct APIRunDetail: Codable, Sendable, Equatable {
    public var run: APIRun
    /// Layer names in the order their series first appear (store order: by name).
    public var layers: [String]
    public var series: [APISeriesSummary]
    /// Largest step with a stored point or scalar; absent when nothing is stored yet.
    public var lastStep: Int64?
    /// The newest scalars per split, e.g. `{"train": {"step": 40, "values": {"loss": 0.3}, …}}`.
    public var latestScalars: [String: APIScalars]
    /// How many alerts the run has raised.
    public var alerts: Int
    /// How far its estimation is behind; absent when this daemon has received no frame of
    /// it since it started.
    public var estimation: APIEstimationLag?

    public init(run: APIRun, layers: [String], series: [APISeriesSummary], lastStep: Int64?,
                latestScalars: [String: APIScalars], alerts: Int, estimation: APIEstimationLag? = nil) {
        self.run = run; self.layers = layers; self.series = series
        self.lastStep = lastStep; self.latestScalars = latestScalars; self.alerts = alerts
        self.estimation = estimation
    }
}

/// One stored series of a run and its extent: the series' fields, flat, with how many
/// points it has, its first and last step and its newest value.
public struct APISeriesSummary: Codable, Sendable, Equatable {
    public var series: APISeries
    public var points: Int
    public var firstStep: Int64
    public var lastStep: Int64
    /// The value at `lastStep`.
    public var lastValue: Double

    public init(series: APISeries, points: Int, firstStep: Int64, lastStep: Int64, lastValue: Double) {
        self.series = series; self.points = points; self.firstStep = firstStep; self.lastStep = lastStep
        self.lastValue = lastValue
    }

    /// The fields written next to the series' own.
    private enum Keys: CodingKey { case points, firstStep, lastStep, lastValue }

    public init(from decoder: any Decoder) throws {
        series = try APISeries(from: decoder)
        let container = try decoder.container(keyedBy: Keys.self)
        points = try container.decode(Int.self, forKey: .points)
        firstStep = try container.decode(Int64.self, forKey: .firstStep)
        lastStep = try container.decode(Int64.self, forKey: .lastStep)
        lastValue = try container.decode(Double.self, forKey: .lastValue)
    }

    public func encode(to encoder: any Encoder) throws {
        try series.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(points, forKey: .points)
        try container.encode(firstStep, forKey: .firstStep)
        try container.encode(lastStep, forKey: .lastStep)
        try container.encode(lastValue, forKey: .lastValue)
    }
}
