extension EstimatorName {
    /// Runs the estimator on matrices: the one dispatch behind the command line, the
    /// reference-fixture tests and the pipeline, so that what the tests check is what users
    /// and the daemon run. `y` is the second variable of a mutual information, `labels` its
    /// class labels (for the estimators that take them); `units` nil = the native units.
    /// `label` names the estimator in error messages (default: the name).
    public func estimate(_ quantity: InformationQuantity, x: Matrix, y: Matrix? = nil, labels: [Int]? = nil,
                         parameters p: EstimatorParameters = EstimatorParameters(), units: InformationUnit? = nil,
                         label: String? = nil) throws(EstimatorError) -> Estimate {
        let target = units ?? nativeUnits
        let label = label ?? rawValue
        func needY() throws(EstimatorError) -> Matrix {
            guard let y else { throw .invalidParameter("\(label) needs a second variable y") }
            return y
        }
        func needLabels() throws(EstimatorError) -> [Int] {
            guard let labels else { throw .invalidParameter("\(label) needs class labels") }
            return labels
        }
        switch (self, quantity) {
        case (.ksg1, .mutualInformation), (.ksg2, .mutualInformation):
            let estimator = KSGEstimator(k: p.k, algorithm: self == .ksg1 ? .one : .two,
                                         standardization: p.standardization, tieBreaking: p.tieBreaking,
                                         strategy: p.strategy)
            return try estimator.mutualInformation(x: x, y: try needY(), units: target)
        case (.kozachenkoLeonenko, .entropy):
            return try KozachenkoLeonenkoEstimator(k: p.k, metric: p.metric, standardization: p.standardization,
                                                   strategy: p.strategy).entropy(x, units: target)
        case (.mixed, .mutualInformation):
            return try MixedKSGEstimator(k: p.k, metric: p.metric, standardization: p.standardization,
                                         tieBreaking: p.tieBreaking, strategy: p.strategy)
                .mutualInformation(x: x, labels: try needLabels(), units: target)
        case (.binning, .entropy):
            return try BinningEstimator(bins: p.bins, scheme: p.binning).entropy(x, units: target)
        case (.binning, .mutualInformation):
            return try BinningEstimator(bins: p.bins, scheme: p.binning)
                .mutualInformation(x, labels: try needLabels(), units: target)
        case (.dse, .entropy):
            return try p.diffusion.entropy(x).converted(to: target)
        case (.dsmi, .mutualInformation):
            let dsmi = DiffusionSpectralMutualInformation(entropy: p.diffusion, seed: p.seed)
            if let labels {
                return try dsmi.mutualInformation(x: x, labels: labels, subsets: p.subsets).converted(to: target)
            }
            let y = try needY()
            guard y.columns == 1 else {
                throw .invalidParameter(
                    "dsmi with a continuous y needs one column (the package clusters wider y spectrally; pass labels instead)")
            }
            try y.validate(name: "y")
            return try dsmi.mutualInformation(x: x, continuous: y.storage, subsets: p.subsets).converted(to: target)
        case (.renyi, .entropy):
            return try MatrixRenyiEntropy(sigma: p.renyiSigma, alpha: p.alpha).entropy(x).converted(to: target)
        case (.renyi, .mutualInformation):
            return try MatrixRenyiEntropy(sigma: p.renyiSigma, alpha: p.alpha)
                .mutualInformation(x: x, y: try needY()).converted(to: target)
        case (.gaussian, .mutualInformation):
            return try GaussianMutualInformation().mutualInformation(x: x, y: try needY()).converted(to: target)
        default:
            let what = quantity == .entropy ? "entropy" : "mutual information"
            throw .invalidParameter("no estimator '\(rawValue)' of the \(what)")
        }
    }
}

/// Parameters of every estimator, with each estimator's documented default.
public struct EstimatorParameters: Sendable {
    /// kNN estimators.
    public var k = 3
    public var metric: DistanceMetric = .maximum
    public var standardization: Standardization = .none
    public var tieBreaking: TieBreaking = .scikitLearn
    public var strategy: SearchStrategy = .automatic
    /// Binning.
    public var bins = 30
    public var binning: BinningScheme = .fixed(lower: -1, upper: 1)
    /// DSE / DSMI (σ default 10, t default 1, exact eigenvalues).
    public var diffusion = DiffusionSpectralEntropy()
    /// Injected DSMI subsets per label (reference reproduction).
    public var subsets: [Int: [[Int]]]?
    public var seed: UInt64 = 0
    /// Matrix-based Rényi (σ default 1, α default 1.01).
    public var renyiSigma = 1.0
    public var alpha = 1.01

    public init() {}
}
