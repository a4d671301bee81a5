/// Per-feature scaling applied before a kNN estimator.
public enum Standardization: String, Sendable, Codable, CaseIterable {
    /// Use the data as given.
    case none
    /// Divide each column by its population standard deviation (ddof 0) without centring,
    /// as scikit-learn's mutual_info_regression/_classif do (`scale(X, with_mean=False)`).
    case scaleByStandardDeviation
    /// Centre each column and divide by its sample standard deviation (ddof 1), as
    /// Kraskov's MILCA toolkit and JIDT's unit tests normalise.
    case zScore

    /// Applies the scaling. Throws `.zeroVariance` for a constant column.
    public func apply(to matrix: Matrix, name: String) throws(EstimatorError) -> Matrix {
        switch self {
        case .none:
            return matrix
        case .scaleByStandardDeviation, .zScore:
            let ddof = self == .zScore ? 1 : 0
            let std = matrix.columnStandardDeviations(ddof: ddof)
            let mean = self == .zScore ? matrix.columnMeans() : [Double](repeating: 0, count: matrix.columns)
            for (c, s) in std.enumerated() where !(s > 0) {
                throw .zeroVariance(name: name, column: c)
            }
            var out = matrix.storage
            let d = matrix.columns
            for i in out.indices {
                let c = i % d
                out[i] = (out[i] - mean[c]) / std[c]
            }
            return Matrix(uncheckedRows: matrix.rows, columns: d, storage: out)
        }
    }
}

/// How ties between equal distances are broken before a kNN estimator.
public enum TieBreaking: Sendable, Equatable, Codable {
    /// No noise: equal values stay tied.
    case none
    /// Adds `scale · max(1, mean|column|) · N(0, 1)` to every value, column by column, from a
    /// generator seeded with `seed` — scikit-learn's convention (scale 1e-10). In Float64 a
    /// relative 1e-10 perturbation breaks exact ties (ReLU zeros, saturated tanh) but, on
    /// tie-free data, changes no neighbour and therefore no KSG count.
    case jitter(scale: Double, seed: UInt64)

    /// scikit-learn's default: 1e-10, seeded with 0.
    public static let scikitLearn = TieBreaking.jitter(scale: 1e-10, seed: 0)

    /// Applies the noise; `stream` separates the streams of X and Y under one seed.
    public func apply(to matrix: Matrix, stream: UInt64 = 0) -> Matrix {
        guard case let .jitter(scale, seed) = self, scale > 0 else { return matrix }
        var generator = SeededGenerator(seed: seed &+ stream &* 0x9E37_79B9_7F4A_7C15)
        let d = matrix.columns
        var meanAbs = [Double](repeating: 0, count: d)
        for (i, v) in matrix.storage.enumerated() { meanAbs[i % d] += Swift.abs(v) }
        let amplitude = meanAbs.map { scale * Swift.max(1, $0 / Double(Swift.max(matrix.rows, 1))) }
        var out = matrix.storage
        for i in out.indices { out[i] += amplitude[i % d] * generator.nextGaussian() }
        return Matrix(uncheckedRows: matrix.rows, columns: d, storage: out)
    }
}
