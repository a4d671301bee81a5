/// The estimates the pipeline can compute for each watched layer T of a frame.
public enum PipelineEstimator: String, Sendable, Codable, CaseIterable, Hashable {
    /// I(X;T) by binning the uncompressed activations (Shwartz-Ziv & Tishby 2017): with
    /// distinct inputs and a deterministic network, H(binned T). Bits by default.
    case binningInputInformation = "binning_ixt"
    /// I(T;Y) = H(T) − Σ_y p(y) H(T | Y = y) on the binned uncompressed activations.
    case binningLabelInformation = "binning_ity"
    /// I(X;T) by KSG algorithm 1 (Kraskov et al. 2004) on the compressed X and T.
    case ksgInputInformation = "ksg_ixt"
    /// I(T;Y) by the mixed discrete/continuous kNN estimator (Ross 2014) on the compressed T
    /// and the class labels.
    case mixedLabelInformation = "mixed_ity"
    /// Diffusion spectral entropy DSE(T) (Liao, Liu et al. 2023) of the compressed T.
    case diffusionSpectralEntropy = "dse"
    /// Diffusion spectral mutual information DSMI(T;Y) of the compressed T and the labels.
    case diffusionSpectralMutualInformation = "dsmi"

    /// The `SeriesPoint.metric` this writes.
    public var metric: String {
        switch self {
        case .binningInputInformation, .ksgInputInformation: return SeriesMetric.inputInformation
        case .binningLabelInformation, .mixedLabelInformation, .diffusionSpectralMutualInformation: return SeriesMetric.labelInformation
        case .diffusionSpectralEntropy: return SeriesMetric.diffusionSpectralEntropy
        }
    }

    /// The `SeriesPoint.estimator` this writes.
    public var estimatorName: String {
        switch self {
        case .binningInputInformation, .binningLabelInformation: return "binning"
        case .ksgInputInformation: return "ksg1"
        case .mixedLabelInformation: return "mixed"
        case .diffusionSpectralEntropy: return "dse"
        case .diffusionSpectralMutualInformation: return "dsmi"
        }
    }

    public var needsInputs: Bool { self == .ksgInputInformation }
    public var needsLabels: Bool {
        self == .binningLabelInformation || self == .mixedLabelInformation || self == .diffusionSpectralMutualInformation
    }
    /// Binning sees the raw activations; the kNN and kernel estimators the compressed ones.
    public var usesBinning: Bool { self == .binningInputInformation || self == .binningLabelInformation }
    public var usesKernel: Bool { self == .diffusionSpectralEntropy || self == .diffusionSpectralMutualInformation }

    /// The default set: every estimator above.
    public static let defaults: [PipelineEstimator] = allCases
}
