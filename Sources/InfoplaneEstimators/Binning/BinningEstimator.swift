/// Binning estimator of H(T), I(X;T) and I(T;Y) for a layer's activations T (Shwartz-Ziv &
/// Tishby, "Opening the black box of deep neural networks via information", 2017; Saxe et
/// al., "On the information bottleneck theory of deep learning", ICLR 2018; Chelombiev,
/// Houghton & O'Donnell, "Adaptive estimators show information compression in deep neural
/// networks", ICLR 2019). Each unit's value is cut into `bins` bins (see `BinEdges`), each
/// row becomes one symbol, and
///   H(T) = −Σ p(t) log p(t),   I(X;T) = H(T) (deterministic net, distinct inputs),
///   I(T;Y) = H(T) − H(T|Y).
/// Units: nats by default, bits on request (the papers report bits). Default 30 bins over
/// the fixed range [−1, 1].
public struct BinningEstimator: Sendable {
    public var bins: Int
    public var scheme: BinningScheme

    public init(bins: Int = 30, scheme: BinningScheme = .fixed(lower: -1, upper: 1)) {
        self.bins = bins
        self.scheme = scheme
    }

    /// Edges for `layer` under this estimator's scheme.
    public func fit(_ layer: Matrix) throws(EstimatorError) -> BinEdges {
        try BinEdges.fit(layer, bins: bins, scheme: scheme)
    }

    /// H(T) = I(X;T) of the binned rows of `layer`.
    public func entropy(_ layer: Matrix, units: InformationUnit = .nats) throws(EstimatorError) -> Estimate {
        var accumulator = BinningAccumulator(edges: try fit(layer))
        try accumulator.add(layer)
        return try accumulator.entropy(units: units)
    }

    /// I(T;Y) of the binned rows of `layer` and their `labels`.
    public func mutualInformation(_ layer: Matrix, labels: [Int], units: InformationUnit = .nats) throws(EstimatorError) -> Estimate {
        guard layer.rows == labels.count else { throw .mismatchedRows(layer.rows, labels.count) }
        var accumulator = BinningAccumulator(edges: try fit(layer))
        try accumulator.add(layer, labels: labels)
        return try accumulator.mutualInformation(units: units)
    }
}
