import InfoplaneEstimators

/// A fitted reduction of one layer (or of X) to a few dimensions, kept per (run, layer) so
/// that every frame of the run is projected the same way and the series stay comparable.
/// A layer already at or below the target width gets the identity.
struct LayerProjection: Sendable, Equatable {
    enum Transform: Sendable, Equatable {
        case identity
        /// Principal components (`InfoplaneEstimators.PCA`).
        case pca(PCA)
        /// Seeded Gaussian random projection (`InfoplaneEstimators.RandomProjection`).
        case random(RandomProjection)
    }

    var transform: Transform
    /// Width of the rows it takes.
    var inputWidth: Int
    /// Width of the rows it gives.
    var outputWidth: Int
    /// Step of the frame it was fitted on.
    var fittedAtStep: Int64

    init(transform: Transform, inputWidth: Int, outputWidth: Int, fittedAtStep: Int64) {
        self.transform = transform
        self.inputWidth = inputWidth
        self.outputWidth = outputWidth
        self.fittedAtStep = fittedAtStep
    }

    /// Fits the configured reduction to the rows of `data`. `salt` separates the random
    /// projections of different layers under one seed.
    static func fit(_ data: Matrix, configuration: CompressionConfiguration, step: Int64,
                           salt: UInt64 = 0) throws(CompressionError) -> LayerProjection {
        let width = data.columns
        let target = configuration.dimension
        guard configuration.method != .none, target >= 1, width > target else {
            return LayerProjection(transform: .identity, inputWidth: width, outputWidth: width, fittedAtStep: step)
        }
        do {
            switch configuration.method {
            case .pca:
                let pca = try PCA.fit(data, components: target)
                return LayerProjection(transform: .pca(pca), inputWidth: width, outputWidth: target, fittedAtStep: step)
            case .randomProjection:
                let projection = try RandomProjection(inputDimension: width, outputDimension: target,
                                                      seed: configuration.seed ^ salt)
                return LayerProjection(transform: .random(projection), inputWidth: width, outputWidth: target, fittedAtStep: step)
            case .none:
                return LayerProjection(transform: .identity, inputWidth: width, outputWidth: width, fittedAtStep: step)
            }
        } catch {
            throw .estimator(error.description)
        }
    }

    /// The identity on rows of `width` values.
    static func identity(width: Int, step: Int64) -> LayerProjection {
        LayerProjection(transform: .identity, inputWidth: width, outputWidth: width, fittedAtStep: step)
    }

    var isIdentity: Bool { transform == .identity }

    var method: CompressionMethod {
        switch transform {
        case .identity: return .none
        case .pca: return .pca
        case .random: return .randomProjection
        }
    }

    /// Fraction of the layer's variance each kept component explains (PCA), decreasing;
    /// empty for the other methods.
    var explainedVarianceRatio: [Double] {
        if case .pca(let pca) = transform { return pca.explainedVarianceRatio }
        return []
    }

    /// Total fraction of variance kept (PCA); nil for the other methods.
    var explainedVariance: Double? {
        if case .pca(let pca) = transform { return pca.explainedVarianceRatio.reduce(0, +) }
        return nil
    }

    /// Projects the rows of `m`, which must be `inputWidth` wide.
    func apply(to m: Matrix) throws(CompressionError) -> Matrix {
        guard m.columns == inputWidth else {
            throw .widthChanged(expected: inputWidth, got: m.columns)
        }
        do {
            switch transform {
            case .identity: return m
            case .pca(let pca): return try pca.transform(m)
            case .random(let projection): return try projection.transform(m)
            }
        } catch {
            throw .estimator(error.description)
        }
    }

    /// A stable 64-bit hash of a layer name (FNV-1a), to salt seeds per layer.
    static func salt(_ name: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}

/// Why a layer could not be compressed.
enum CompressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The layer's width differs from the width its basis was fitted on.
    case widthChanged(expected: Int, got: Int)
    /// The estimator library refused the data.
    case estimator(String)

    var description: String {
        switch self {
        case let .widthChanged(expected, got):
            return "the layer is \(got) wide but its compression basis was fitted on \(expected) columns; keep a layer's width fixed during a run or ask for a refit"
        case .estimator(let message):
            return "compression failed: \(message)"
        }
    }
}
