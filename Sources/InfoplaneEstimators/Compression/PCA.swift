import CLAPACK

/// Principal component analysis fitted once and applied to many frames, so that a series
/// of estimates on compressed layers stays in one fixed coordinate system.
/// Fit: centre the columns, eigen-decompose the sample covariance Cᵀ C / (N − 1) (LAPACK
/// `dsyevd`), keep the `components` leading eigenvectors (sign fixed so that each
/// component's largest-magnitude coefficient is positive). Transform: (x − mean) W.
public struct PCA: Sendable, Equatable {
    /// Column means of the fitting data.
    public let mean: [Double]
    /// Components as a d × D matrix (column j = component j).
    public let basis: Matrix
    /// Variance along each kept component, and its share of the total variance.
    public let explainedVariance: [Double]
    public let explainedVarianceRatio: [Double]

    public var inputDimension: Int { basis.rows }
    public var outputDimension: Int { basis.columns }

    /// Fits `components` principal directions to the rows of `data` with `solver`
    /// (default: `PCASolver.automatic` for the data's shape).
    public static func fit(_ data: Matrix, components: Int, solver: PCASolver? = nil) throws(EstimatorError) -> PCA {
        try data.validate(name: "x")
        let d = data.columns
        guard components >= 1, components <= d else {
            throw .invalidParameter("PCA components must be in 1...\(d), got \(components)")
        }
        guard data.rows >= 2 else { throw .tooFewSamples(n: data.rows, required: 2, reason: "PCA") }
        switch solver ?? .automatic(rows: data.rows, columns: d, components: components) {
        case .covariance:
            return try fitByCovariance(data, components: components)
        case .gram:
            return try fitByGram(data, components: components)
        case let .randomized(oversamples, powerIterations, seed):
            return try fitRandomized(data, components: components, oversamples: oversamples,
                                     powerIterations: powerIterations, seed: seed)
        }
    }

    /// The exact solver of `PCASolver.covariance`.
    static func fitByCovariance(_ data: Matrix, components: Int) throws(EstimatorError) -> PCA {
        let d = data.columns
        var covariance = GaussianMutualInformation.covariance(data)
        let w = try DenseProducts.symmetricEigenDecomposition(&covariance, n: d)
        // Eigenvalues ascending; eigenvectors are the columns of `covariance` (row-major).
        let totalVariance = w.reduce(0) { $0 + Swift.max($1, 0) }
        var basis = [Double](repeating: 0, count: d * components)
        var variance: [Double] = []
        for j in 0..<components {
            let source = d - 1 - j
            let column = orientedDirection((0..<d).map { covariance[$0 * d + source] })
            for r in 0..<d { basis[r * components + j] = column[r] }
            variance.append(Swift.max(w[source], 0))
        }
        return PCA(mean: data.columnMeans(), basis: Matrix(uncheckedRows: d, columns: components, storage: basis),
                   explainedVariance: variance, totalVariance: totalVariance)
    }

    init(mean: [Double], basis: Matrix, explainedVariance: [Double], totalVariance: Double) {
        self.mean = mean
        self.basis = basis
        self.explainedVariance = explainedVariance
        self.explainedVarianceRatio = explainedVariance.map { totalVariance > 0 ? $0 / totalVariance : 0 }
    }

    /// A principal direction with its sign fixed: the largest-magnitude coefficient positive
    /// (scikit-learn's `svd_flip` on the components), so refits give comparable axes.
    static func orientedDirection(_ column: [Double]) -> [Double] {
        let pivot = column.max { Swift.abs($0) < Swift.abs($1) } ?? 1
        return pivot < 0 ? column.map { -$0 } : column
    }

    /// Projects rows of `x` (same width as the fitting data) onto the components.
    public func transform(_ x: Matrix) throws(EstimatorError) -> Matrix {
        guard x.columns == inputDimension else {
            throw .shapeMismatch("PCA was fitted on \(inputDimension) columns, got \(x.columns)")
        }
        var centred = x.storage
        for i in centred.indices { centred[i] -= mean[i % inputDimension] }
        return Matrix(uncheckedRows: x.rows, columns: outputDimension,
                      storage: DenseProducts.multiply(centred, x.rows, inputDimension, basis.storage, outputDimension))
    }

    /// Maps component scores back to the input space: z Wᵀ + mean.
    public func inverseTransform(_ z: Matrix) throws(EstimatorError) -> Matrix {
        guard z.columns == outputDimension else {
            throw .shapeMismatch("PCA has \(outputDimension) components, got \(z.columns) columns")
        }
        var out = DenseProducts.multiply(z.storage, z.rows, outputDimension, basis.storage, inputDimension, transposeB: true)
        for i in out.indices { out[i] += mean[i % inputDimension] }
        return Matrix(uncheckedRows: z.rows, columns: inputDimension, storage: out)
    }
}
