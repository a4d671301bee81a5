import CLAPACK
import Foundation

/// Stochastic Lanczos quadrature (Ubaru, Chen & Saad, "Fast estimation of tr(f(A)) via
/// stochastic Lanczos quadrature", SIAM J. Matrix Anal. Appl. 38, 2017):
///   tr f(A) ≈ (N / n_v) Σ_l Σ_k τ_{lk}² f(θ_{lk}),
/// θ, τ the eigenvalues and first eigenvector components of the m × m Lanczos tridiagonal
/// started from a Rademacher probe z_l (‖z‖² = N). All probes advance in lock step so each
/// step is one BLAS matrix–matrix product; Lanczos vectors are fully re-orthogonalised.
struct StochasticLanczosQuadrature: Sendable {
    var probes: Int
    var steps: Int
    var seed: UInt64

    func traces(of functions: [@Sendable (Double) -> Double], matrix: [Double], n: Int) throws(EstimatorError) -> [Double] {
        let p = probes, m = steps
        var generator = SeededGenerator(seed: seed)
        // Basis: m blocks of N × p (row-major within a block), unit columns.
        var basis = [Double](repeating: 0, count: m * n * p)
        let norm0 = 1 / Double(n).squareRoot()
        for i in 0..<(n * p) { basis[i] = (generator.next() & 1 == 0 ? 1 : -1) * norm0 }
        var alpha = [Double](repeating: 0, count: m * p), beta = [Double](repeating: 0, count: m * p)
        var w = [Double](repeating: 0, count: n * p)
        var usedSteps = m
        for step in 0..<m {
            basis.withUnsafeBufferPointer { b in
                matrix.withUnsafeBufferPointer { a in
                    w.withUnsafeMutableBufferPointer { out in
                        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(p), Int32(n), 1.0,
                                    a.baseAddress, Int32(n), b.baseAddress! + step * n * p, Int32(p), 0.0, out.baseAddress, Int32(p))
                    }
                }
            }
            for l in 0..<p {
                var dot = 0.0
                for i in 0..<n { dot += w[i * p + l] * basis[step * n * p + i * p + l] }
                alpha[step * p + l] = dot
                // Full re-orthogonalisation against all previous vectors (twice is enough).
                for _ in 0..<2 {
                    for s in 0...step {
                        var c = 0.0
                        for i in 0..<n { c += w[i * p + l] * basis[s * n * p + i * p + l] }
                        for i in 0..<n { w[i * p + l] -= c * basis[s * n * p + i * p + l] }
                    }
                }
                var norm = 0.0
                for i in 0..<n { norm += w[i * p + l] * w[i * p + l] }
                norm = norm.squareRoot()
                beta[step * p + l] = norm
                if step + 1 < m {
                    let inv = norm > 1e-300 ? 1 / norm : 0
                    for i in 0..<n { basis[(step + 1) * n * p + i * p + l] = w[i * p + l] * inv }
                }
            }
            if step + 1 < m && (0..<p).allSatisfy({ beta[step * p + $0] < 1e-12 }) {
                usedSteps = step + 1
                break
            }
        }
        var sums = [Double](repeating: 0, count: functions.count)
        for l in 0..<p {
            // Truncate each probe's tridiagonal at its first breakdown.
            var k = usedSteps
            for s in 0..<(usedSteps - 1) where beta[s * p + l] < 1e-12 { k = s + 1; break }
            var diagonal = (0..<k).map { alpha[$0 * p + l] }
            var offDiagonal = (0..<max(k - 1, 0)).map { beta[$0 * p + l] }
            if offDiagonal.isEmpty { offDiagonal = [0] }
            var vectors = [Double](repeating: 0, count: k * k)
            let info = LAPACKE_dstev(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), Int32(k), &diagonal, &offDiagonal, &vectors, Int32(k))
            guard info == 0 else { throw .lapackFailure(routine: "dstev", info: Int(info)) }
            for j in 0..<k {
                let tau = vectors[j]  // row 0, column j: first component of eigenvector j
                for (f, function) in functions.enumerated() { sums[f] += tau * tau * function(diagonal[j]) }
            }
        }
        return sums.map { $0 * Double(n) / Double(p) }
    }
}
