/// One estimate of one quantity for one layer at one training step: the unit of every
/// time series the daemon keeps.
///
/// `metric` names the quantity, `estimator` how it was estimated, e.g.
/// metric `"I(X;T)"` by estimator `"binning"` or `"ksg1"`; metric `"I(T;Y)"` by `"binning"`,
/// `"mixed"` or `"dsmi"`; metric `"DSE(T)"` by `"dse"`. See `SeriesMetric` for the names.
public struct SeriesPoint: Sendable, Equatable, Hashable, Codable {
    public var run: String
    public var layer: String
    public var split: ProbeSplit
    public var metric: String
    public var estimator: String
    public var step: Int64
    public var value: Double
    /// Unit of `value`.
    public var units: String
    /// Samples the estimate was computed on.
    public var n: Int
    /// Dimension of the data the estimator saw (after compression).
    public var d: Int
    /// Seconds the estimator took.
    public var seconds: Double
    /// True when the frame was incomplete (estimated on the chunks that came).
    public var partial: Bool

    public init(run: String, layer: String, split: ProbeSplit, metric: String, estimator: String,
                step: Int64, value: Double, units: String, n: Int, d: Int, seconds: Double, partial: Bool = false) {
        self.run = run
        self.layer = layer
        self.split = split
        self.metric = metric
        self.estimator = estimator
        self.step = step
        self.value = value
        self.units = units
        self.n = n
        self.d = d
        self.seconds = seconds
        self.partial = partial
    }
}

/// The quantities the daemon tracks per layer.
public enum SeriesMetric {
    /// Mutual information between the inputs and the layer, I(X;T).
    public static let inputInformation = "I(X;T)"
    /// Mutual information between the layer and the labels, I(T;Y).
    public static let labelInformation = "I(T;Y)"
    /// Diffusion spectral entropy of the layer, DSE(T).
    public static let diffusionSpectralEntropy = "DSE(T)"
}
