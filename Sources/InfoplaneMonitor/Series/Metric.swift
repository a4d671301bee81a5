import InfoplaneEstimators

/// The quantity a series measures. The raw value is the stored and displayed spelling
/// (`"I(X;T)"`); the type is open because stored series and HTTP filters may name
/// quantities this build does not compute.
public struct Metric: OpenName {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// Mutual information between the inputs and the layer, I(X;T).
    public static let inputInformation = Metric("I(X;T)")
    /// Mutual information between the layer and the labels, I(T;Y).
    public static let labelInformation = Metric("I(T;Y)")
    /// Diffusion spectral entropy of the layer, DSE(T).
    public static let diffusionSpectralEntropy = Metric("DSE(T)")
    /// Fraction of a layer's variance its PCA basis keeps; one point at the step the basis
    /// was fitted (estimator `pca`, unit `fraction`).
    public static let explainedVariance = Metric("explained_variance")
    /// σ the DSE/DSMI kernel used for a layer in a frame (estimator `median_heuristic` or
    /// `fixed`, in the units of the data the kernel saw).
    public static let kernelSigma = Metric("dse_sigma")
}
