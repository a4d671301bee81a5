/// Names one series of a run: a layer's metric by one estimator on one split, with the unit
/// of its values. The series routes, the run summary and the live `points` event write
/// these fields next to what they say about the series (see `APISeriesWithPoints`,
/// `APISeriesSummary`, `APILabelledPoint`).
public struct APISeries: Codable, Sendable, Hashable {
    public var layer: String
    /// `I(X;T)`, `I(T;Y)`, `DSE(T)`, or a bookkeeping series (`explained_variance`, `sigma`).
    public var metric: String
    public var estimator: String
    /// `train`, `validation` or `probe`.
    public var split: String
    /// `bits` or `nats`.
    public var units: String

    public init(layer: String, metric: String, estimator: String, split: String, units: String) {
        self.layer = layer; self.metric = metric; self.estimator = estimator; self.split = split; self.units = units
    }
}

/// One stored estimate: the API's only point model. Where points of several series travel
/// together, `APILabelledPoint` writes its series next to it.
public struct APIPoint: Codable, Sendable, Equatable {
    public var step: Int64
    public var value: Double
    /// Samples the estimate was computed on.
    public var n: Int
    /// Dimension of the data the estimator saw (after compression).
    public var d: Int
    /// Seconds the estimator took.
    public var seconds: Double
    /// True when the frame was incomplete (estimated on the chunks that came).
    public var partial: Bool
    /// What to know about how the point was estimated, when anything: `partial_frame`,
    /// `saturated` (at the estimator's ceiling: says nothing about the layer), `few_samples`,
    /// `lower_bound`. Absent for an ordinary point.
    public var flags: [String]?

    public init(step: Int64, value: Double, n: Int, d: Int, seconds: Double, partial: Bool, flags: [String]? = nil) {
        self.step = step; self.value = value; self.n = n; self.d = d; self.seconds = seconds; self.partial = partial
        self.flags = flags
    }
}

/// A point and its series in one flat object, for lists that mix series (the live
/// `points` event): `{"layer", "metric", "estimator", "split", "units", "step", "value", …}`.
public struct APILabelledPoint: Codable, Sendable, Equatable {
    public var series: APISeries
    public var point: APIPoint

    public init(series: APISeries, point: APIPoint) { self.series = series; self.point = point }

    public init(from decoder: any Decoder) throws {
        series = try APISeries(from: decoder)
        point = try APIPoint(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try series.encode(to: encoder)
        try point.encode(to: encoder)
    }
}

/// A series with its points ordered by step: the series' fields and `points`, flat.
public struct APISeriesWithPoints: Codable, Sendable, Equatable {
    public var series: APISeries
    public var points: [APIPoint]

    public init(series: APISeries, points: [APIPoint]) { self.series = series; self.points = points }

    /// The field written next to the series' own.
    private enum Keys: CodingKey { case points }

    public init(from decoder: any Decoder) throws {
        series = try APISeries(from: decoder)
        points = try decoder.container(keyedBy: Keys.self).decode([APIPoint].self, forKey: .points)
    }

    public func encode(to encoder: any Encoder) throws {
        try series.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(points, forKey: .points)
    }
}

/// `GET /v1/runs/{run}/series`: the matching series ordered by layer, metric, estimator,
/// split. The CSV form has one row per point with the same fields (and the run).
public struct APISeriesList: Codable, Sendable, Equatable {
    public var run: String
    public var series: [APISeriesWithPoints]

    public init(run: String, series: [APISeriesWithPoints]) { self.run = run; self.series = series }
}
