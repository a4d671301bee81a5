/// How a layer (or X) is reduced before the kNN and kernel estimators.
public enum CompressionMethod: String, Sendable, Codable, CaseIterable {
    /// Principal components; the basis is fitted on the run's first complete frame and kept.
    case pca
    /// A seeded Gaussian random projection (Johnson–Lindenstrauss), scaled by 1/√dimension.
    case randomProjection = "random_projection"
    /// No reduction.
    case none
}

/// Compression settings; the daemon's TOML section `[compression]` maps onto it
/// (`ConfigurationCoding`).
public struct CompressionConfiguration: Sendable, Codable, Equatable {
    /// Default `.pca`.
    public var method = CompressionMethod.pca
    /// Target dimension. Layers of this width or narrower are used as they are. Default 5:
    /// KSG I(X;T) then works in a joint space of 10 dimensions, where an exact k-d tree
    /// search still pays at N = 4096 (InfoplaneEstimators switches to brute force above
    /// min(10, log₂N − 2)); at 8 + 8 the same frame's KSG costs about 5× more (see
    /// Documentation/performance.md, pipeline section).
    public var dimension = 5
    /// Standard deviation of the additive Gaussian noise put on the compressed values (the
    /// stochastic-network view of Goldfeld et al. 2019), in the layer's own units; 0 = none.
    /// Default 0.
    public var noiseSigma = 0.0
    /// Seed of the random projection and of the noise. Default 0.
    public var seed: UInt64 = 0
    /// Compress the inputs X too (for KSG I(X;T)). Default true.
    public var compressInputs = true

    public init() {}
}
