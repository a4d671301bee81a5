import Foundation

/// Matrix-based Rényi α-entropy and mutual information (Sánchez Giraldo, Rao & Príncipe,
/// "Measures of entropy from data using infinitely divisible kernels", IEEE Trans. Inf.
/// Theory 61, 2015; arXiv 2012/2014):
///   K_ij = exp(−‖x_i − x_j‖² / (2σ²)),  A = K / tr K,  S_α(A) = log₂(Σ λ_i(A)^α) / (1 − α),
///   I_α(X;Y) = S_α(A) + S_α(B) − S_α(A∘B / tr(A∘B))   (∘ the Hadamard product, same σ).
/// α → 1 gives the von Neumann entropy −Σ λ log₂ λ. Negative round-off eigenvalues are set
/// to 0. Units: bits.
public struct MatrixRenyiEntropy: Sendable {
    public var sigma: Double
    public var alpha: Double

    public init(sigma: Double = 1, alpha: Double = 1.01) {
        self.sigma = sigma
        self.alpha = alpha
    }

    public func entropy(_ x: Matrix) throws(EstimatorError) -> Estimate {
        try x.validate(name: "x")
        try checkParameters()
        var a = normalisedGram(x)
        return Estimate(value: try spectralEntropy(&a, n: x.rows), units: .bits, n: x.rows, d: x.columns)
    }

    public func mutualInformation(x: Matrix, y: Matrix) throws(EstimatorError) -> Estimate {
        try x.validate(name: "x")
        try y.validate(name: "y")
        guard x.rows == y.rows else { throw .mismatchedRows(x.rows, y.rows) }
        try checkParameters()
        let n = x.rows
        var a = normalisedGram(x), b = normalisedGram(y)
        var joint = zip(a, b).map { $0 * $1 }
        let trace = (0..<n).reduce(0.0) { $0 + joint[$1 * n + $1] }
        for i in joint.indices { joint[i] /= trace }
        let value = try spectralEntropy(&a, n: n) + spectralEntropy(&b, n: n) - spectralEntropy(&joint, n: n)
        return Estimate(value: value, units: .bits, n: n, d: x.columns + y.columns)
    }

    func checkParameters() throws(EstimatorError) {
        guard sigma > 0, sigma.isFinite else { throw .invalidParameter("sigma must be positive, got \(sigma)") }
        guard alpha > 0, alpha.isFinite else { throw .invalidParameter("alpha must be positive, got \(alpha)") }
    }

    func normalisedGram(_ x: Matrix) -> [Double] {
        var k = KernelMatrix.squaredDistances(x, method: .differences)
        KernelMatrix.applyGaussian(&k, sigma: sigma, scale: 1, viaDistance: false)
        let n = x.rows
        let trace = (0..<n).reduce(0.0) { $0 + k[$1 * n + $1] }
        return k.map { $0 / trace }
    }

    func spectralEntropy(_ matrix: inout [Double], n: Int) throws(EstimatorError) -> Double {
        let lambdas = try SymmetricEigenvalues.of(&matrix, n: n).map { Swift.max($0, 0) }
        if Swift.abs(alpha - 1) < 1e-12 {
            return -lambdas.reduce(0) { $0 + ($1 > 0 ? $1 * log2($1) : 0) }
        }
        return log2(lambdas.reduce(0) { $0 + pow($1, alpha) }) / (1 - alpha)
    }
}
