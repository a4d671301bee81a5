/// The name of whatever produced a series' values: the one estimator vocabulary of the
/// daemon. The configuration's pipeline estimates (`binning_ixt` = I(X;T) by `binning`),
/// the command line (`infoplane estimate binning-mi` = `binning` estimating a mutual
/// information, see `EstimatorCommand`) and every stored point (its `estimator` column)
/// spell estimators with these names; `estimate` is the one dispatch that runs them.
///
/// The raw value is the canonical spelling and the one stored. The type is open (any
/// string is a name) because stored series and HTTP filters may carry names this build
/// does not run; `EstimatorName.estimators` lists the ones it does.
public struct EstimatorName: OpenName {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// Equal-width binning of each unit, a row a symbol (Shwartz-Ziv & Tishby 2017).
    public static let binning = EstimatorName("binning")
    /// KSG mutual information, algorithm 1 or 2 (Kraskov et al. 2004).
    public static let ksg1 = EstimatorName("ksg1")
    public static let ksg2 = EstimatorName("ksg2")
    /// Kozachenko–Leonenko differential entropy.
    public static let kozachenkoLeonenko = EstimatorName("kl")
    /// The mixed discrete/continuous kNN mutual information (Ross 2014).
    public static let mixed = EstimatorName("mixed")
    /// Diffusion spectral entropy and mutual information (Liao, Liu et al. 2023).
    public static let dse = EstimatorName("dse")
    public static let dsmi = EstimatorName("dsmi")
    /// Matrix-based Rényi α-entropy and mutual information.
    public static let renyi = EstimatorName("renyi")
    /// Mutual information of jointly Gaussian variables.
    public static let gaussian = EstimatorName("gaussian")

    /// Producers of the pipeline's auxiliary series, which are not information estimates:
    /// the PCA basis (explained variance) and the kernel σ, fixed or by the median heuristic.
    public static let pca = EstimatorName("pca")
    public static let fixedKernelSigma = EstimatorName("fixed")
    public static let medianHeuristic = EstimatorName("median_heuristic")

    /// The estimators `estimate` runs.
    public static let estimators: [EstimatorName] = [
        .binning, .ksg1, .ksg2, .kozachenkoLeonenko, .mixed, .dse, .dsmi, .renyi, .gaussian,
    ]

    /// The units the estimator reports in by default (bits where its reference does).
    public var nativeUnits: InformationUnit {
        switch self {
        case .dse, .dsmi, .renyi: return .bits
        default: return .nats
        }
    }
}

/// What an estimator estimates: the entropy H(X) of one variable or the mutual information
/// I(X;Y) of two.
public enum InformationQuantity: Sendable, Hashable {
    case entropy, mutualInformation
}
