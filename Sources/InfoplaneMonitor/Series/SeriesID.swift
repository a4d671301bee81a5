import InfoplaneEstimators

/// The identity of one time series: which quantity (`metric`), by which estimator, of which
/// layer of which run, on which split. Alert rules, episode latches, HTTP grouping, metric
/// labels and the store's unique index key on it (with the step, for a point).
///
/// Encodes as `{"run", "layer", "split", "metric", "estimator"}`, all strings.
public struct SeriesID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var run: String
    public var layer: String
    public var split: ProbeSplit
    public var metric: Metric
    public var estimator: EstimatorName

    public init(run: String, layer: String, split: ProbeSplit, metric: Metric, estimator: EstimatorName) {
        self.run = run
        self.layer = layer
        self.split = split
        self.metric = metric
        self.estimator = estimator
    }

    /// The run and layer the series belongs to.
    public var layerKey: LayerKey { LayerKey(run: run, layer: layer) }

    /// "L5 (probe, binning)".
    public var label: String { "\(layer) (\(split.rawValue), \(estimator))" }

    public var description: String { "\(run)/\(layer)/\(metric)/\(estimator)/\(split.rawValue)" }

    /// Ordered as the store lists series: run, layer, metric, estimator, split.
    public static func < (a: SeriesID, b: SeriesID) -> Bool {
        (a.run, a.layer, a.metric.rawValue, a.estimator.rawValue, a.split.rawValue)
            < (b.run, b.layer, b.metric.rawValue, b.estimator.rawValue, b.split.rawValue)
    }
}
