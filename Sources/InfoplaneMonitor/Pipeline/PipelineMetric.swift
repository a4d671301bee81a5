/// Names of the points the pipeline writes besides the estimates.
public enum PipelineMetric {
    /// Fraction of a layer's variance its PCA basis keeps; one point at the step the basis
    /// was fitted (estimator `pca`, units `fraction`).
    public static let explainedVariance = "explained_variance"
    /// σ the DSE/DSMI kernel used for a layer in a frame (estimator `median_heuristic` or
    /// `fixed`, in the units of the data the kernel saw).
    public static let kernelSigma = "dse_sigma"
}
