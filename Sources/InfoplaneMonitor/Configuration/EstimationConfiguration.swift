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
/// section `[estimation]` maps onto it; a run may override fields in its Hello options
/// (see `RunSettings`).
public struct EstimationConfiguration: Sendable, Codable, Equatable {
    /// Estimates computed per watched layer. Default: all six (`PipelineEstimate.defaults`).
    public var estimators: [PipelineEstimate]
    /// Units of every stored point. Default bits (the papers' plots use bits).
    public var units: InformationUnit
    /// k of KSG I(X;T). Default 3.
    public var ksgNeighbors: Int
    /// k of the mixed estimator I(T;Y). Default 3.
    public var mixedNeighbors: Int
    /// Equal-width bins per unit for the binning estimators. Default 30.
    public var bins: Int
    /// Default `.running`.
    public var binRange: BinRangePolicy
    /// Range bounds for `binRange = .fixed`. Default -1 and 1.
    public var binLower: Double
    public var binUpper: Double
    /// kNN estimators use at most this many samples (a seeded subset, the same rows every
    /// frame); 0 = all. Default 4096.
    public var knnMaxSamples: Int
    /// DSE and DSMI use at most this many samples (a seeded subset, the same rows every
    /// frame); 0 = all. Default 512: their exact eigenvalue cost grows as N³ and DSMI runs
    /// 2 × 6 of them per layer, so this keeps a frame of 4 layers inside the 1 s budget.
    public var kernelMaxSamples: Int
    /// What the kNN estimators see. Default `.compressed`.
    public var knnInput: EstimatorInput
    /// What DSE and DSMI see. Default `.compressed`.
    public var kernelInput: EstimatorInput
    /// Diffusion time t of DSE and DSMI. Default 1.
    public var diffusionTime: Int
    /// σ of the DSE/DSMI Gaussian kernel as a multiple of the median pairwise distance of
    /// the layer's rows in that frame (scale-invariant; the σ used is stored as a point of
    /// metric `dse_sigma`). Default 0.25: on 8-dimensional Gaussian data of rank 8, 2 and 1
    /// it gives 8.5, 5.4 and 4.2 bits at N = 512 (9.3, 6.1, 4.2 at N = 1024), far from the
    /// log₂ N ceiling that small σ saturates at and from the collapse of large σ.
    public var kernelSigmaScale: Double
    /// A fixed σ in data units instead (as `infoplane estimate dse --sigma`); 0 = use
    /// `kernelSigmaScale`. Default 0.
    public var kernelSigma: Double
    /// Seed for subsets and tie-breaking jitter. Default 0.
    public var seed: UInt64

    public init(estimators: [PipelineEstimate] = PipelineEstimate.defaults, units: InformationUnit = .bits,
                ksgNeighbors: Int = 3, mixedNeighbors: Int = 3, bins: Int = 30, binRange: BinRangePolicy = .running,
                binLower: Double = -1, binUpper: Double = 1, knnMaxSamples: Int = 4096, kernelMaxSamples: Int = 512,
                knnInput: EstimatorInput = .compressed, kernelInput: EstimatorInput = .compressed,
                diffusionTime: Int = 1, kernelSigmaScale: Double = 0.25, kernelSigma: Double = 0, seed: UInt64 = 0) {
        self.estimators = estimators
        self.units = units
        self.ksgNeighbors = ksgNeighbors
        self.mixedNeighbors = mixedNeighbors
        self.bins = bins
        self.binRange = binRange
        self.binLower = binLower
        self.binUpper = binUpper
        self.knnMaxSamples = knnMaxSamples
        self.kernelMaxSamples = kernelMaxSamples
        self.knnInput = knnInput
        self.kernelInput = kernelInput
        self.diffusionTime = diffusionTime
        self.kernelSigmaScale = kernelSigmaScale
        self.kernelSigma = kernelSigma
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case estimators, units, bins, seed
        case ksgNeighbors = "ksg_neighbors"
        case mixedNeighbors = "mixed_neighbors"
        case binRange = "bin_range"
        case binLower = "bin_lower"
        case binUpper = "bin_upper"
        case knnMaxSamples = "knn_max_samples"
        case kernelMaxSamples = "kernel_max_samples"
        case knnInput = "knn_input"
        case kernelInput = "kernel_input"
        case diffusionTime = "diffusion_time"
        case kernelSigmaScale = "kernel_sigma_scale"
        case kernelSigma = "kernel_sigma"
    }

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        estimators = try c.decodeIfPresent([PipelineEstimate].self, forKey: .estimators) ?? d.estimators
        units = try c.decodeIfPresent(InformationUnit.self, forKey: .units) ?? d.units
        ksgNeighbors = try c.decodeIfPresent(Int.self, forKey: .ksgNeighbors) ?? d.ksgNeighbors
        mixedNeighbors = try c.decodeIfPresent(Int.self, forKey: .mixedNeighbors) ?? d.mixedNeighbors
        bins = try c.decodeIfPresent(Int.self, forKey: .bins) ?? d.bins
        binRange = try c.decodeIfPresent(BinRangePolicy.self, forKey: .binRange) ?? d.binRange
        binLower = try c.decodeIfPresent(Double.self, forKey: .binLower) ?? d.binLower
        binUpper = try c.decodeIfPresent(Double.self, forKey: .binUpper) ?? d.binUpper
        knnMaxSamples = try c.decodeIfPresent(Int.self, forKey: .knnMaxSamples) ?? d.knnMaxSamples
        kernelMaxSamples = try c.decodeIfPresent(Int.self, forKey: .kernelMaxSamples) ?? d.kernelMaxSamples
        knnInput = try c.decodeIfPresent(EstimatorInput.self, forKey: .knnInput) ?? d.knnInput
        kernelInput = try c.decodeIfPresent(EstimatorInput.self, forKey: .kernelInput) ?? d.kernelInput
        diffusionTime = try c.decodeIfPresent(Int.self, forKey: .diffusionTime) ?? d.diffusionTime
        kernelSigmaScale = try c.decodeIfPresent(Double.self, forKey: .kernelSigmaScale) ?? d.kernelSigmaScale
        kernelSigma = try c.decodeIfPresent(Double.self, forKey: .kernelSigma) ?? d.kernelSigma
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
    }
}
