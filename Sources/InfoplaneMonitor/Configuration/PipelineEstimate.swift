import InfoplaneEstimators

/// One estimate the pipeline can compute for each watched layer T of a frame: a metric by
/// an estimator, on the raw or the compressed activations (`EstimationConfiguration`).
///
/// The raw value is the configuration's name (`[estimation] estimators`, the Hello option
/// `estimators`), canonical there; the stored points carry `metric` and `estimator`.
public struct PipelineEstimate: StringNamed, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    public let metric: Metric
    public let estimator: EstimatorName
    /// The configuration's name.
    public let rawValue: String

    public var description: String { rawValue }

    /// I(X;T) by binning the uncompressed activations (Shwartz-Ziv & Tishby 2017): with
    /// distinct inputs and a deterministic network, H(binned T). Bits by default.
    public static let binningInputInformation = PipelineEstimate(
        metric: .inputInformation, estimator: .binning, rawValue: "binning_ixt")
    /// I(T;Y) = H(T) − Σ_y p(y) H(T | Y = y) on the binned uncompressed activations.
    public static let binningLabelInformation = PipelineEstimate(
        metric: .labelInformation, estimator: .binning, rawValue: "binning_ity")
    /// I(X;T) by KSG algorithm 1 (Kraskov et al. 2004) on the compressed X and T.
    public static let ksgInputInformation = PipelineEstimate(
        metric: .inputInformation, estimator: .ksg1, rawValue: "ksg_ixt")
    /// I(T;Y) by the mixed discrete/continuous kNN estimator (Ross 2014) on the compressed T
    /// and the class labels.
    public static let mixedLabelInformation = PipelineEstimate(
        metric: .labelInformation, estimator: .mixed, rawValue: "mixed_ity")
    /// Diffusion spectral entropy DSE(T) (Liao, Liu et al. 2023) of the compressed T.
    public static let diffusionSpectralEntropy = PipelineEstimate(
        metric: .diffusionSpectralEntropy, estimator: .dse, rawValue: "dse")
    /// Diffusion spectral mutual information DSMI(T;Y) of the compressed T and the labels.
    public static let diffusionSpectralMutualInformation = PipelineEstimate(
        metric: .labelInformation, estimator: .dsmi, rawValue: "dsmi")

    public static let allCases: [PipelineEstimate] = [
        .binningInputInformation, .binningLabelInformation, .ksgInputInformation, .mixedLabelInformation,
        .diffusionSpectralEntropy, .diffusionSpectralMutualInformation,
    ]

    /// The default set: every estimate above.
    public static let defaults: [PipelineEstimate] = allCases

    /// What the estimator estimates: I(X;T) by binning is H(binned T), the entropy of the
    /// layer; the other I(·;·) are mutual informations; DSE(T) an entropy.
    public var quantity: InformationQuantity {
        switch metric {
        case .inputInformation: return estimator == .binning ? .entropy : .mutualInformation
        case .labelInformation: return .mutualInformation
        default: return .entropy
        }
    }

    /// I(X;T) by a mutual-information estimator needs the inputs X in the frame.
    public var needsInputs: Bool { metric == .inputInformation && quantity == .mutualInformation }
    public var needsLabels: Bool { metric == .labelInformation }
    /// Binning sees the raw activations; the kNN and kernel estimators the compressed ones.
    public var usesBinning: Bool { estimator == .binning }
    public var usesKernel: Bool { estimator == .dse || estimator == .dsmi }
}

extension PipelineEstimate {
    /// The estimate configured as `rawValue`; nil for an unknown name.
    public init?(rawValue: String) {
        guard let known = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = known
    }
}

/// The former name of `PipelineEstimate`, kept while the pipeline's files move to the new one.
@available(*, deprecated, renamed: "PipelineEstimate")
public typealias PipelineEstimator = PipelineEstimate
