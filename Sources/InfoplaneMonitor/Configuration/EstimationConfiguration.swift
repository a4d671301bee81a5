import InfoplaneEstimators

/// Where the binning estimators take the range their equal-width bins span.
public enum BinRangePolicy: String, Sendable, Codable, CaseIterable {
    /// `[binLower, binUpper]` (Shwartz-Ziv & Tishby: tanh, [-1, 1]); values outside are
    /// put in the first or last bin.
    case fixed
    /// The minimum and maximum of the layer in this frame.
    case observed
    /// The minimum and maximum of the layer over every frame of the run so far: the live
    /// equivalent of Saxe et al.'s whole-run range (which needs the future).
    case running
}

/// Whether an estimator family sees the compressed or the raw activations.
public enum EstimatorInput: String, Sendable, Codable, CaseIterable {
    case compressed, raw
}

/// Which estimates the pipeline computes and with what parameters. The daemon's TOML
/// section `[estimation]` maps onto it (`ConfigurationCoding`); a run may override fields
/// in its Hello options (see `RunSettings`).
public struct EstimationConfiguration: Sendable, Codable, Equatable {
    /// Estimates computed per watched layer. Default: all six (`PipelineEstimate.defaults`).
    public var estimators = PipelineEstimate.defaults
    /// Units of every stored point. Default bits (the papers' plots use bits).
    public var units = InformationUnit.bits
    /// k of KSG I(X;T). Default 3.
    public var ksgNeighbors = 3
    /// k of the mixed estimator I(T;Y). Default 3.
    public var mixedNeighbors = 3
    /// Equal-width bins per unit for the binning estimators. Default 30.
    public var bins = 30
    /// Default `.running`.
    public var binRange = BinRangePolicy.running
    /// Range bounds for `binRange = .fixed`. Default -1 and 1.
    public var binLower = -1.0
    public var binUpper = 1.0
    /// kNN estimators use at most this many samples (a seeded subset, the same rows every
    /// frame); 0 = all. Default 4096.
    public var knnMaxSamples = 4096
    /// DSE and DSMI use at most this many samples (a seeded subset, the same rows every
    /// frame); 0 = all. Default 512: their exact eigenvalue cost grows as N³ and DSMI runs
    /// 2 × 6 of them per layer, so this keeps a frame of 4 layers inside the 1 s budget.
    public var kernelMaxSamples = 512
    /// What the kNN estimators see. Default `.compressed`.
    public var knnInput = EstimatorInput.compressed
    /// What DSE and DSMI see. Default `.compressed`.
    public var kernelInput = EstimatorInput.compressed
    /// Diffusion time t of DSE and DSMI. Default 1.
    public var diffusionTime = 1
    /// σ of the DSE/DSMI Gaussian kernel as a multiple of the median pairwise distance of
    /// the layer's rows in that frame (scale-invariant; the σ used is stored as a point of
    /// metric `dse_sigma`). Default 0.25: on 8-dimensional Gaussian data of rank 8, 2 and 1
    /// it gives 8.5, 5.4 and 4.2 bits at N = 512 (9.3, 6.1, 4.2 at N = 1024), far from the
    /// log₂ N ceiling that small σ saturates at and from the collapse of large σ.
    public var kernelSigmaScale = 0.25
    /// A fixed σ in data units instead (as `infoplane estimate dse --sigma`); 0 = use
    /// `kernelSigmaScale`. Default 0.
    public var kernelSigma = 0.0
    /// Seed for subsets and tie-breaking jitter. Default 0.
    public var seed: UInt64 = 0

    public init() {}

    /// The defaults, computing `estimators`.
    public init(estimators: [PipelineEstimate]) {
        self.estimators = estimators
    }
}
