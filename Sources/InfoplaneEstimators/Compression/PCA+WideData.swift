import CLAPACK

// The two solvers that never form the d × d covariance: see `PCASolver.gram` and
// `PCASolver.randomized`. Both work on the centred data C = X − 1 μᵀ without copying X:
// C M = X M − 1 (μᵀ M) and Cᵀ Q = Xᵀ Q − μ (1ᵀ Q).
extension PCA {
    /// The exact solver of `PCASolver.gram`: C Cᵀ = U Λ Uᵀ, σᵢ = √λᵢ, vᵢ = Cᵀ uᵢ / σᵢ.
    static func fitByGram(_ data: Matrix, components: Int) throws(EstimatorError) -> PCA {
        let n = data.rows, d = data.columns
        let mean = data.columnMeans()
        // C Cᵀ = X Xᵀ − v 1ᵀ − 1 vᵀ + (μᵀμ) 1 1ᵀ with v = X μ.
        var gram = DenseProducts.multiply(data.storage, n, d, data.storage, n, transposeB: true)
        let v = DenseProducts.multiply(data.storage, n, d, mean, 1)
        let meanSquare = mean.reduce(0) { $0 + $1 * $1 }
        for i in 0..<n { for j in 0..<n { gram[i * n + j] += meanSquare - v[i] - v[j] } }
        let eigenvalues = try DenseProducts.symmetricEigenDecomposition(&gram, n: n)
        let kept = Swift.min(components, n)
        // Leading eigenvectors of the Gram matrix, N × kept, largest eigenvalue first.
        var leading = [Double](repeating: 0, count: n * kept)
        for i in 0..<n { for j in 0..<kept { leading[i * kept + j] = gram[i * n + (n - 1 - j)] } }
        let directions = centredTransposeTimes(data, mean: mean, leading, columns: kept)
        var basis = [Double](repeating: 0, count: d * components)
        var variance = [Double](repeating: 0, count: components)
        for j in 0..<kept {
            let lambda = Swift.max(eigenvalues[n - 1 - j], 0)
            variance[j] = lambda / Double(n - 1)
            let sigma = lambda.squareRoot()
            guard sigma > 0 else { continue }
            let column = orientedDirection((0..<d).map { directions[$0 * kept + j] / sigma })
            for r in 0..<d { basis[r * components + j] = column[r] }
        }
        let totalVariance = eigenvalues.reduce(0) { $0 + Swift.max($1, 0) } / Double(n - 1)
        return PCA(mean: mean, basis: Matrix(uncheckedRows: d, columns: components, storage: basis),
                   explainedVariance: variance, totalVariance: totalVariance)
    }

    /// The approximate solver of `PCASolver.randomized`.
    static func fitRandomized(_ data: Matrix, components: Int, oversamples: Int, powerIterations: Int?,
                              seed: UInt64) throws(EstimatorError) -> PCA {
        let n = data.rows, d = data.columns
        guard oversamples >= 0 else { throw .invalidParameter("oversamples must be >= 0, got \(oversamples)") }
        let smallest = Swift.min(n, d)
        let iterations = powerIterations ?? (Double(components) < 0.1 * Double(smallest) ? 7 : 4)
        guard iterations >= 0 else { throw .invalidParameter("power iterations must be >= 0, got \(iterations)") }
        let width = Swift.min(components + oversamples, smallest)
        guard components <= width else {
            throw .invalidParameter("randomized PCA keeps at most min(N, d) = \(smallest) components, got \(components)")
        }
        let mean = data.columnMeans()

        var generator = SeededGenerator(seed: seed)
        var omega = [Double](repeating: 0, count: d * width)
        for i in omega.indices { omega[i] = generator.nextGaussian() }
        // Range finder with orthonormalisation after every product (Halko et al. alg. 4.4).
        var q = try DenseProducts.orthonormalized(centredTimes(data, mean: mean, omega, columns: width), rows: n, columns: width)
        for _ in 0..<iterations {
            let z = try DenseProducts.orthonormalized(centredTransposeTimes(data, mean: mean, q, columns: width),
                                                      rows: d, columns: width)
            q = try DenseProducts.orthonormalized(centredTimes(data, mean: mean, z, columns: width), rows: n, columns: width)
        }
        // B = Qᵀ C, kept as Bᵀ = Cᵀ Q (d × width); Bᵀ = U Σ Wᵀ gives the right singular
        // vectors of B, which are the principal directions, as the columns of U.
        let transposedB = centredTransposeTimes(data, mean: mean, q, columns: width)
        let (u, sigma) = try DenseProducts.thinSingularValueDecomposition(transposedB, rows: d, columns: width)

        var basis = [Double](repeating: 0, count: d * components)
        var variance: [Double] = []
        for j in 0..<components {
            let column = orientedDirection((0..<d).map { u[$0 * width + j] })
            for r in 0..<d { basis[r * components + j] = column[r] }
            variance.append(sigma[j] * sigma[j] / Double(n - 1))
        }
        let totalVariance = data.columnStandardDeviations(ddof: 1).reduce(0) { $0 + $1 * $1 }
        return PCA(mean: mean, basis: Matrix(uncheckedRows: d, columns: components, storage: basis),
                   explainedVariance: variance, totalVariance: totalVariance)
    }

    /// C M for M of d × `columns`: X M minus the row μᵀ M from every row.
    private static func centredTimes(_ data: Matrix, mean: [Double], _ m: [Double], columns: Int) -> [Double] {
        var product = DenseProducts.multiply(data.storage, data.rows, data.columns, m, columns)
        let shift = DenseProducts.multiply(mean, 1, data.columns, m, columns)
        for r in 0..<data.rows { for c in 0..<columns { product[r * columns + c] -= shift[c] } }
        return product
    }

    /// Cᵀ Q for Q of N × `columns`: Xᵀ Q minus μ (1ᵀ Q).
    private static func centredTransposeTimes(_ data: Matrix, mean: [Double], _ q: [Double], columns: Int) -> [Double] {
        var product = DenseProducts.multiply(data.storage, data.columns, data.rows, q, columns, transposeA: true)
        var columnSums = [Double](repeating: 0, count: columns)
        for r in 0..<data.rows { for c in 0..<columns { columnSums[c] += q[r * columns + c] } }
        for j in 0..<data.columns { for c in 0..<columns { product[j * columns + c] -= mean[j] * columnSums[c] } }
        return product
    }
}
