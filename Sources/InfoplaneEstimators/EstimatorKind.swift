/// Every estimator by its command-line name, with one entry point that runs it on
/// matrices. Used by `infoplane estimate` and by the reference-fixture tests, so that what
/// the tests check is what users run.
public enum EstimatorKind: String, Sendable, CaseIterable, Codable {
    case ksg1, ksg2
    case klEntropy = "kl-entropy"
    case mixed
    case binningMI = "binning-mi"
    case binningEntropy = "binning-entropy"
    case dse, dsmi
    case renyiEntropy = "renyi-entropy"
    case renyiMI = "renyi-mi"
    case gaussianMI = "gaussian-mi"

    /// The units the estimator reports in by default (bits where its reference does).
    public var nativeUnits: InformationUnit {
        switch self {
        case .dse, .dsmi, .renyiEntropy, .renyiMI: return .bits
        default: return .nats
        }
    }

    /// What the estimator needs besides X.
    public enum SecondInput: Sendable { case none, y, labels, yOrLabels }

    public var secondInput: SecondInput {
        switch self {
        case .ksg1, .ksg2, .renyiMI, .gaussianMI: return .y
        case .mixed, .binningMI: return .labels
        case .dsmi: return .yOrLabels
        case .klEntropy, .binningEntropy, .dse, .renyiEntropy: return .none
        }
    }

    /// Runs the estimator. `units` nil = the native units.
    public func estimate(x: Matrix, y: Matrix? = nil, labels: [Int]? = nil,
                         parameters p: EstimatorParameters = EstimatorParameters(),
                         units: InformationUnit? = nil) throws(EstimatorError) -> Estimate {
        let target = units ?? nativeUnits
        func needY() throws(EstimatorError) -> Matrix {
            guard let y else { throw .invalidParameter("\(rawValue) needs a second variable y") }
            return y
        }
        func needLabels() throws(EstimatorError) -> [Int] {
            guard let labels else { throw .invalidParameter("\(rawValue) needs class labels") }
            return labels
        }
        let result: Estimate
        switch self {
        case .ksg1, .ksg2:
            let estimator = KSGEstimator(k: p.k, algorithm: self == .ksg1 ? .one : .two, standardization: p.standardization,
                                         tieBreaking: p.tieBreaking, strategy: p.strategy)
            result = try estimator.mutualInformation(x: x, y: try needY())
        case .klEntropy:
            result = try KozachenkoLeonenkoEstimator(k: p.k, metric: p.metric, standardization: p.standardization,
                                                     strategy: p.strategy).entropy(x)
        case .mixed:
            result = try MixedKSGEstimator(k: p.k, metric: p.metric, standardization: p.standardization,
                                           tieBreaking: p.tieBreaking, strategy: p.strategy)
                .mutualInformation(x: x, labels: try needLabels())
        case .binningEntropy:
            result = try BinningEstimator(bins: p.bins, scheme: p.binning).entropy(x)
        case .binningMI:
            result = try BinningEstimator(bins: p.bins, scheme: p.binning).mutualInformation(x, labels: try needLabels())
        case .dse:
            result = try p.diffusion.entropy(x)
        case .dsmi:
            let dsmi = DiffusionSpectralMutualInformation(entropy: p.diffusion, seed: p.seed)
            if let labels {
                result = try dsmi.mutualInformation(x: x, labels: labels, subsets: p.subsets)
            } else {
                let y = try needY()
                guard y.columns == 1 else {
                    throw .invalidParameter("dsmi with a continuous y needs one column (the package clusters wider y spectrally; pass labels instead)")
                }
                try y.validate(name: "y")
                result = try dsmi.mutualInformation(x: x, continuous: y.storage, subsets: p.subsets)
            }
        case .renyiEntropy:
            result = try MatrixRenyiEntropy(sigma: p.renyiSigma, alpha: p.alpha).entropy(x)
        case .renyiMI:
            result = try MatrixRenyiEntropy(sigma: p.renyiSigma, alpha: p.alpha).mutualInformation(x: x, y: try needY())
        case .gaussianMI:
            result = try GaussianMutualInformation().mutualInformation(x: x, y: try needY())
        }
        return result.converted(to: target)
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
