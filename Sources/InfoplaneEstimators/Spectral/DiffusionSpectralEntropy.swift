import Foundation

/// Diffusion spectral entropy (Liao, Liu et al., "Assessing neural network representations
/// during training using noise-resilient diffusion spectral entropy", 2023; arXiv:2312.04823),
/// computed exactly as the official package dse-dsmi 1.1 (`diffusion_spectral_entropy`):
///   G_ij = exp(−‖x_i − x_j‖² / (2σ²)) / (σ√(2π)),  K = Deg^{−1/2} G Deg^{−1/2}, Deg = diag(row sums of G),
/// so K is symmetric with the eigenvalues λ of the diffusion matrix P = Deg^{−1} G;
///   p_i = |λ_i|^t / Σ_j |λ_j|^t + ε (ε = 2.22e−16, added to every entry),  DSE = −Σ p_i log₂ p_i.
/// Units: bits. The trivial eigenvalue 1 is kept (as in the packaged 1.1). Defaults σ = 10,
/// t = 1, at most 10 000 rows (beyond that the same random subset as the package:
/// Python's `random.seed(0)` then `random.sample`, reproduced by `PythonRandom`). Not scale-invariant: σ is in data units.
public struct DiffusionSpectralEntropy: Sendable {
    /// How the eigenvalue sums are obtained.
    public enum Method: Sendable, Equatable {
        /// All eigenvalues by LAPACK `dsyevd` on K: O(N³), equals the package.
        case exact
        /// Deflated stochastic Lanczos quadrature: the `rank` dominant eigenvalues by randomised
        /// subspace iteration and Rayleigh–Ritz, the rest of tr(K^t) and tr(K^t log K^t) by
        /// Lanczos quadrature from `probes` Rademacher vectors of `steps` steps (Ubaru, Chen &
        /// Saad 2017; Meyer et al. 2021). O(N² (rank + probes · steps)); error measured in
        /// Documentation/estimators.md.
        case lanczos(rank: Int, probes: Int, steps: Int, seed: UInt64)
        /// Exact up to `threshold` rows, the Lanczos path with its defaults beyond.
        case automatic(threshold: Int)
    }

    public var sigma: Double
    public var t: Int
    public var maxSamples: Int
    public var method: Method
    public var seed: UInt64

    public init(sigma: Double = 10, t: Int = 1, maxSamples: Int = 10_000, method: Method = .exact, seed: UInt64 = 0) {
        self.sigma = sigma
        self.t = t
        self.maxSamples = maxSamples
        self.method = method
        self.seed = seed
    }

    /// DSE of the rows of `x`, in bits.
    public func entropy(_ x: Matrix) throws(EstimatorError) -> Estimate {
        try x.validate(name: "x")
        try checkParameters()
        var data = x
        if data.rows > maxSamples {
            // As the package: random.seed(seed); random.sample(range(N), k=max_N).
            var generator = PythonRandom(seed: seed)
            data = data.selectingRows(generator.sample(from: data.rows, count: maxSamples))
        }
        let n = data.rows
        let value: Double
        switch resolvedMethod(n: n) {
        case .lanczos(let rank, let probes, let steps, let seed):
            value = try lanczosEntropy(data, rank: rank, probes: probes, steps: steps, seed: seed)
        default:
            var kernel = diffusionKernel(data)
            let eigenvalues = try SymmetricEigenvalues.of(&kernel, n: n)
            value = DiffusionSpectralEntropy.entropy(ofEigenvalues: eigenvalues, t: t)
        }
        return Estimate(value: value, units: .bits, n: n, d: x.columns)
    }

    /// The eigenvalues of the diffusion matrix of `x` (ascending), as the package computes them.
    public func eigenvalues(_ x: Matrix) throws(EstimatorError) -> [Double] {
        try x.validate(name: "x")
        try checkParameters()
        var kernel = diffusionKernel(x)
        return try SymmetricEigenvalues.of(&kernel, n: x.rows)
    }

    /// −Σ p log₂ p with p = |λ|^t / Σ|λ|^t + ε, the package's final step.
    public static func entropy(ofEigenvalues eigenvalues: [Double], t: Int) -> Double {
        let powered = eigenvalues.map { pow(Swift.abs($0), Double(t)) }
        let total = powered.reduce(0, +)
        var h = 0.0
        for v in powered {
            let p = v / total + Double.ulpOfOne
            h -= p * log2(p)
        }
        return h
    }

    /// The fast path's defaults: 64 deflated eigenvalues, 32 probes × 12 Lanczos steps.
    public static func defaultLanczos(seed: UInt64 = 0) -> Method {
        .lanczos(rank: 64, probes: 32, steps: 12, seed: seed)
    }

    func checkParameters() throws(EstimatorError) {
        guard sigma > 0, sigma.isFinite else { throw .invalidParameter("sigma must be positive, got \(sigma)") }
        guard t >= 1 else { throw .invalidParameter("diffusion time t must be at least 1, got \(t)") }
        guard maxSamples >= 2 else { throw .invalidParameter("maxSamples must be at least 2") }
    }

    func resolvedMethod(n: Int) -> Method {
        if case .automatic(let threshold) = method {
            return n <= threshold ? .exact : DiffusionSpectralEntropy.defaultLanczos(seed: seed)
        }
        return method
    }

    /// K = Deg^{−1/2} G Deg^{−1/2}, row-major N × N (symmetric), formed like the package:
    /// distances as scikit-learn's `pairwise_distances`, then (s_i G_ij) s_j.
    func diffusionKernel(_ x: Matrix) -> [Double] {
        let n = x.rows
        var (g, s) = gaussianKernelAndScales(x)
        g.withUnsafeMutableBufferPointer { p in
            let buffer = SharedBuffer(pointer: p.baseAddress!)
            parallelChunks(count: n, minimumChunk: 64) { rows in
                for i in rows { for j in 0..<n { buffer[i * n + j] = (s[i] * buffer[i * n + j]) * s[j] } }
            }
        }
        return g
    }

    /// The Gaussian kernel G of the rows of `x` and the row scales s_i = 1/√(Σ_j G_ij)
    /// (each row summed in column order, rows in parallel).
    func gaussianKernelAndScales(_ x: Matrix) -> (kernel: [Double], scales: [Double]) {
        let n = x.rows
        let g = KernelMatrix.gaussianKernel(x, sigma: sigma, scale: 1 / (sigma * (2 * Double.pi).squareRoot()), viaDistance: true)
        var s = [Double](repeating: 0, count: n)
        g.withUnsafeBufferPointer { p in
            s.withUnsafeMutableBufferPointer { sp in
                let scales = SharedBuffer(pointer: sp.baseAddress!)
                parallelChunks(count: n, minimumChunk: 64) { rows in
                    for i in rows {
                        var sum = 0.0
                        for j in 0..<n { sum += p[i * n + j] }
                        scales[i] = 1 / sum.squareRoot()
                    }
                }
            }
        }
        return (g, s)
    }

    /// DSE from Lanczos quadrature: with S = tr(K^t) and T = tr(K^t log₂ K^t) (K is positive
    /// semi-definite, so |λ| = λ up to round-off), DSE ≈ log₂ S − T / S. S is exact for t = 1
    /// (the trace) and t = 2 (the squared Frobenius norm). The ε term of the package adds
    /// at most N·ε·log₂(1/ε) ≈ 1e−11 bits and is left out.
    func lanczosEntropy(_ x: Matrix, rank: Int, probes: Int, steps: Int, seed: UInt64) throws(EstimatorError) -> Double {
        guard rank >= 1, probes >= 0, steps >= 2 else { throw .invalidParameter("Lanczos needs rank >= 1, probes >= 0 and steps >= 2") }
        let n = x.rows
        let t = Double(self.t)
        let power: @Sendable (Double) -> Double = { pow(Swift.max($0, 0), t) }
        let weighted: @Sendable (Double) -> Double = { lambda in
            let v = pow(Swift.max(lambda, 0), t)
            return v > 0 ? v * log2(v) : 0
        }
        // K = (s_i G_ij) s_j goes straight to single precision (the quadrature's products
        // read it in `sgemm`); for t = 2 its squared Frobenius norm is summed on the way from
        // the double-precision entries, a partial sum per row.
        let (g, s) = gaussianKernelAndScales(x)
        let squares = self.t == 2
        var rowSquares = [Double](repeating: 0, count: n)
        let single = [Float](unsafeUninitializedCapacity: n * n) { out, initialized in
            let buffer = SharedBuffer(pointer: out.baseAddress!)
            rowSquares.withUnsafeMutableBufferPointer { totals in
                let rowSquare = SharedBuffer(pointer: totals.baseAddress!)
                g.withUnsafeBufferPointer { p in
                    parallelChunks(count: n, minimumChunk: 64) { rows in
                        for i in rows {
                            var total = 0.0
                            for j in 0..<n {
                                let k = (s[i] * p[i * n + j]) * s[j]
                                buffer[i * n + j] = Float(k)
                                if squares { total += k * k }
                            }
                            if squares { rowSquare[i] = total }
                        }
                    }
                }
            }
            initialized = n * n
        }
        let quadrature = DeflatedTraceEstimator(rank: rank, powerIterations: 2, probes: probes, steps: steps, seed: seed)
        let traces = try quadrature.traces(of: [power, weighted], operator: SinglePrecisionOperator(matrix: single, n: n))
        let total: Double
        switch self.t {
        case 1: total = (0..<n).reduce(0) { $0 + (s[$1] * g[$1 * n + $1]) * s[$1] }   // the trace
        case 2: total = rowSquares.reduce(0, +)
        default: total = traces[0]
        }
        return log2(total) - traces[1] / total
    }
}
