/// How a layer (or X) is reduced before the kNN and kernel estimators.
public enum CompressionMethod: String, Sendable, Codable, CaseIterable {
    /// Principal components; the basis is fitted on the run's first complete frame and kept.
    case pca
    /// A seeded Gaussian random projection (Johnson–Lindenstrauss), scaled by 1/√dimension.
    case randomProjection = "random_projection"
    /// No reduction.
    case none
}

/// Compression settings; the daemon's TOML section `[compression]` maps onto it.
public struct CompressionConfiguration: Sendable, Codable, Equatable {
    /// Default `.pca`.
    public var method: CompressionMethod
    /// Target dimension. Layers of this width or narrower are used as they are. Default 5:
    /// KSG I(X;T) then works in a joint space of 10 dimensions, where an exact k-d tree
    /// search still pays at N = 4096 (InfoplaneEstimators switches to brute force above
    /// min(10, log₂N − 2)); at 8 + 8 the same frame's KSG costs about 5× more (see
    /// Documentation/performance.md, pipeline section).
    public var dimension: Int
    /// Standard deviation of the additive Gaussian noise put on the compressed values (the
    /// stochastic-network view of Goldfeld et al. 2019), in the layer's own units; 0 = none.
    /// Default 0.
    public var noiseSigma: Double
    /// Seed of the random projection and of the noise. Default 0.
    public var seed: UInt64
    /// Compress the inputs X too (for KSG I(X;T)). Default true.
    public var compressInputs: Bool

    public init(method: CompressionMethod = .pca, dimension: Int = 5, noiseSigma: Double = 0, seed: UInt64 = 0,
                compressInputs: Bool = true) {
        self.method = method
        self.dimension = dimension
        self.noiseSigma = noiseSigma
        self.seed = seed
        self.compressInputs = compressInputs
    }

    enum CodingKeys: String, CodingKey {
        case method, dimension, seed
        case noiseSigma = "noise_sigma"
        case compressInputs = "compress_inputs"
    }

    public init(from decoder: any Decoder) throws {
        let d = Self()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        method = try c.decodeIfPresent(CompressionMethod.self, forKey: .method) ?? d.method
        dimension = try c.decodeIfPresent(Int.self, forKey: .dimension) ?? d.dimension
        noiseSigma = try c.decodeIfPresent(Double.self, forKey: .noiseSigma) ?? d.noiseSigma
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        compressInputs = try c.decodeIfPresent(Bool.self, forKey: .compressInputs) ?? d.compressInputs
    }
}
