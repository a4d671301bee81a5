import CLAPACK
import Foundation

/// tr f(K) for a symmetric positive semi-definite K whose spectrum is dominated by a few
/// large eigenvalues (diffusion and kernel matrices), in the spirit of Hutch++ (Meyer, Musco,
/// Musco & Woodruff, SOSA 2021) with stochastic Lanczos quadrature for the remainder:
/// 1. Q = an orthonormal basis of the dominant `rank`-dimensional subspace, by randomised
///    subspace iteration (Halko, Martinsson & Tropp 2011) with `powerIterations` passes;
/// 2. the Ritz values θ of QᵀKQ (LAPACK `dsyevd`) give Σ f(θ) for that subspace exactly;
/// 3. the rest, tr(P f(K) P) with P = I − QQᵀ, by Lanczos quadrature on PKP from `probes`
///    Rademacher vectors projected by P (weights ‖Pz‖²), `steps` steps each.
/// Deflating the large eigenvalues removes the dominant source of Hutchinson variance.
struct DeflatedTraceEstimator: Sendable {
    var rank: Int
    var powerIterations: Int
    var probes: Int
    var steps: Int
    var seed: UInt64

    /// tr f(K) for each of `functions`. The products with K read all of it each time: K is
    /// held in single precision (`single`: half the traffic and `sgemm`'s speed; its 6e-8
    /// relative rounding moves the traces far less than the quadrature error), the vectors
    /// stay in double precision.
    func traces(of functions: [@Sendable (Double) -> Double], operator single: SinglePrecisionOperator) throws(EstimatorError) -> [Double] {
        let n = single.n
        let r = Swift.min(rank, n)
        var generator = SeededGenerator(seed: seed)
        var q = (0..<(n * r)).map { _ in generator.nextGaussian() }
        for _ in 0...powerIterations {
            q = single.apply(q, columns: r)
            try DeflatedTraceEstimator.orthonormalise(&q, n, r)
        }
        // Rayleigh–Ritz on span(Q).
        let kq = single.apply(q, columns: r)
        var small = DenseProducts.multiply(q, r, n, kq, r, transposeA: true)
        for i in 0..<r { for j in 0..<i { let v = 0.5 * (small[i * r + j] + small[j * r + i]); small[i * r + j] = v; small[j * r + i] = v } }
        let ritz = try SymmetricEigenvalues.of(&small, n: r)
        var sums = functions.map { f in ritz.reduce(0.0) { $0 + f($1) } }
        guard r < n, probes > 0 else { return sums }

        // Lanczos quadrature on the deflated operator, all probes in lock step.
        let p = probes, m = Swift.min(steps, n - r)
        func project(_ v: inout [Double]) {
            // v ← (I − QQᵀ) v for the N × p block v.
            let coefficients = DenseProducts.multiply(q, r, n, v, p, transposeA: true)
            DenseProducts.multiply(q, n, r, coefficients, p, into: &v, alpha: -1, beta: 1)
        }
        var start = (0..<(n * p)).map { _ in generator.next() & 1 == 0 ? 1.0 : -1.0 }
        project(&start)
        project(&start)
        var weights = [Double](repeating: 0, count: p)
        for i in 0..<n { for l in 0..<p { weights[l] += start[i * p + l] * start[i * p + l] } }
        var basis = [Double](repeating: 0, count: m * n * p)
        for i in 0..<n { for l in 0..<p { basis[i * p + l] = start[i * p + l] / weights[l].squareRoot() } }
        var alpha = [Double](repeating: 0, count: m * p), beta = [Double](repeating: 0, count: m * p)
        var length = [Int](repeating: m, count: p)
        for step in 0..<m {
            var w = single.apply(Array(basis[(step * n * p)..<((step + 1) * n * p)]), columns: p)
            project(&w)
            // All probes at once: inner loops run over the p contiguous columns.
            var active = (0..<p).map { step < length[$0] }
            basis.withUnsafeMutableBufferPointer { bp in
                w.withUnsafeMutableBufferPointer { wp in
                    let v = bp.baseAddress! + step * n * p
                    var dots = [Double](repeating: 0, count: p)
                    for i in 0..<n { for l in 0..<p { dots[l] += wp[i * p + l] * v[i * p + l] } }
                    for l in 0..<p where active[l] { alpha[step * p + l] = dots[l] }
                    // Full re-orthogonalisation against every previous vector, twice.
                    for _ in 0..<2 {
                        for s in 0...step {
                            let u = bp.baseAddress! + s * n * p
                            var c = [Double](repeating: 0, count: p)
                            for i in 0..<n { for l in 0..<p { c[l] += wp[i * p + l] * u[i * p + l] } }
                            for i in 0..<n { for l in 0..<p { wp[i * p + l] -= c[l] * u[i * p + l] } }
                        }
                    }
                    var norms = [Double](repeating: 0, count: p)
                    for i in 0..<n { for l in 0..<p { norms[l] += wp[i * p + l] * wp[i * p + l] } }
                    for l in 0..<p {
                        let norm = norms[l].squareRoot()
                        if active[l] {
                            beta[step * p + l] = norm
                            if norm < 1e-10 * Swift.max(Swift.abs(dots[l]), 1e-300) || norm < 1e-300 {
                                length[l] = step + 1
                                active[l] = false
                            }
                        }
                        norms[l] = active[l] ? 1 / norm : 0
                    }
                    if step + 1 < m {
                        let next = bp.baseAddress! + (step + 1) * n * p
                        for i in 0..<n { for l in 0..<p { next[i * p + l] = wp[i * p + l] * norms[l] } }
                    }
                }
            }
        }
        for l in 0..<p {
            let k = length[l]
            var diagonal = (0..<k).map { alpha[$0 * p + l] }
            var offDiagonal = k > 1 ? (0..<(k - 1)).map { beta[$0 * p + l] } : [0]
            var vectors = [Double](repeating: 0, count: k * k)
            let info = LAPACKE_dstev(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), Int32(k), &diagonal, &offDiagonal, &vectors, Int32(k))
            guard info == 0 else { throw .lapackFailure(routine: "dstev", info: Int(info)) }
            for j in 0..<k {
                let tau = vectors[j]
                for (f, function) in functions.enumerated() {
                    sums[f] += weights[l] * tau * tau * function(diagonal[j]) / Double(p)
                }
            }
        }
        return sums
    }


    /// Orthonormal columns of the N × c row-major block (Householder QR).
    static func orthonormalise(_ v: inout [Double], _ n: Int, _ c: Int) throws(EstimatorError) {
        var tau = [Double](repeating: 0, count: c)
        var info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, Int32(n), Int32(c), &v, Int32(c), &tau)
        guard info == 0 else { throw .lapackFailure(routine: "dgeqrf", info: Int(info)) }
        info = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, Int32(n), Int32(c), Int32(c), &v, Int32(c), &tau)
        guard info == 0 else { throw .lapackFailure(routine: "dorgqr", info: Int(info)) }
    }
}

/// K (N × N) in single precision, applied to double-precision blocks through `sgemm`.
struct SinglePrecisionOperator: Sendable {
    let matrix: [Float]
    let n: Int

    /// `matrix`: row-major N × N.
    init(matrix: [Float], n: Int) {
        precondition(matrix.count == n * n, "a \(n) x \(n) matrix needs \(n * n) entries, got \(matrix.count)")
        self.matrix = matrix
        self.n = n
    }

    /// K · B for an N × c row-major block B.
    func apply(_ block: [Double], columns c: Int) -> [Double] {
        let b = block.map { Float($0) }
        var out = [Float](repeating: 0, count: n * c)
        matrix.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { bp in
                out.withUnsafeMutableBufferPointer { o in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(c), Int32(n), 1,
                                a.baseAddress, Int32(n), bp.baseAddress, Int32(c), 0, o.baseAddress, Int32(c))
                }
            }
        }
        return out.map { Double($0) }
    }
}
