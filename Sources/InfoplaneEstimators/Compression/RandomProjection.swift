/// Seeded Gaussian random projection (Johnson–Lindenstrauss; as scikit-learn's
/// GaussianRandomProjection): R has i.i.d. N(0, 1/D) entries, d × D, and x ↦ x R. The same
/// seed and shape always give the same R, so a run's frames share one projection.
public struct RandomProjection: Sendable, Equatable {
    public let matrix: Matrix

    public init(inputDimension d: Int, outputDimension D: Int, seed: UInt64) throws(EstimatorError) {
        guard d >= 1, D >= 1 else { throw .invalidParameter("random projection needs d >= 1 and D >= 1, got \(d) → \(D)") }
        var generator = SeededGenerator(seed: seed)
        let scale = 1 / Double(D).squareRoot()
        matrix = Matrix(uncheckedRows: d, columns: D, storage: (0..<(d * D)).map { _ in scale * generator.nextGaussian() })
    }

    public func transform(_ x: Matrix) throws(EstimatorError) -> Matrix {
        guard x.columns == matrix.rows else {
            throw .shapeMismatch("projection expects \(matrix.rows) columns, got \(x.columns)")
        }
        return Matrix(uncheckedRows: x.rows, columns: matrix.columns,
                      storage: DenseProducts.multiply(x.storage, x.rows, x.columns, matrix.storage, matrix.columns))
    }
}

/// Additive isotropic Gaussian noise T + σZ, Z ~ N(0, I), seeded: the noisy-network view of
/// Goldfeld et al. ("Estimating information flow in deep neural networks", ICML 2019), under
/// which I(X;T) is finite for deterministic networks.
public struct GaussianNoise: Sendable, Equatable {
    public var sigma: Double
    public var seed: UInt64

    public init(sigma: Double, seed: UInt64) {
        self.sigma = sigma
        self.seed = seed
    }

    public func apply(to x: Matrix) throws(EstimatorError) -> Matrix {
        guard sigma >= 0, sigma.isFinite else { throw .invalidParameter("noise sigma must be >= 0, got \(sigma)") }
        var generator = SeededGenerator(seed: seed)
        return x.map { $0 + sigma * generator.nextGaussian() }
    }
}
