import CLAPACK
import Foundation

/// Dense N × N pairwise matrices on BLAS: squared Euclidean distances and Gaussian kernels.
enum KernelMatrix {
    /// How squared distances are formed.
    enum DistanceMethod {
        /// ‖x_i‖² + ‖x_j‖² − 2 x_i·x_j from one BLAS `dsyrk`, clipped at 0 and with a zero
        /// diagonal — what scikit-learn's `pairwise_distances` (euclidean_distances) does.
        case gram
        /// Σ_c (x_ic − x_jc)², summed in coordinate order (exact for nearby points).
        case differences
    }

    /// Row-major N × N squared distances.
    static func squaredDistances(_ x: Matrix, method: DistanceMethod) -> [Double] {
        let n = x.rows, d = x.columns
        switch method {
        case .gram:
            return gramMatrix(x, gaussian: nil)
        case .differences:
            var out = [Double](repeating: 0, count: n * n)
            x.storage.withUnsafeBufferPointer { a in
                out.withUnsafeMutableBufferPointer { c in
                    let buffer = SharedBuffer(pointer: c.baseAddress!)
                    parallelChunks(count: n, minimumChunk: 16) { rows in
                        for i in rows {
                            for j in 0..<n {
                                var s = 0.0
                                for k in 0..<d { let v = a[i * d + k] - a[j * d + k]; s += v * v }
                                buffer[i * n + j] = s
                            }
                        }
                    }
                }
            }
            return out
        }
    }

    /// Row-major N × N Gaussian kernel `scale · exp(−D²/(2σ²))` of the rows of `x`, with D²
    /// formed as `squaredDistances(x, method: .gram)` does: bit for bit what that followed
    /// by `applyGaussian` gives, with half the exponentials (the upper triangle is computed,
    /// the lower one mirrored) and one pass fewer over the N² entries.
    static func gaussianKernel(_ x: Matrix, sigma: Double, scale: Double, viaDistance: Bool) -> [Double] {
        gramMatrix(x, gaussian: Gaussian(denominator: 2 * sigma * sigma, scale: scale, viaDistance: viaDistance))
    }

    /// `scale · exp(−D²/denominator)`, D² first passed through sqrt and squared again when
    /// `viaDistance` (scikit-learn's `pairwise_distances` followed by `D**2`).
    struct Gaussian {
        var denominator: Double
        var scale: Double
        var viaDistance: Bool

        @inline(__always) func callAsFunction(_ squared: Double) -> Double {
            var s = squared
            if viaDistance { let dist = s.squareRoot(); s = dist * dist }
            return scale * exp(-s / denominator)
        }
    }

    /// ‖x_i‖² + ‖x_j‖² − 2 x_i·x_j from one `dsyrk` (upper triangle), clipped at 0 with a
    /// zero diagonal, passed through `gaussian` when given, then mirrored to the lower
    /// triangle. Every entry is written, so the N² storage starts uninitialised: zero-filling
    /// it would cost about as much as the `dsyrk` (Documentation/performance.md, "DSE kernel construction").
    private static func gramMatrix(_ x: Matrix, gaussian: Gaussian?) -> [Double] {
        let n = x.rows, d = x.columns
        var norms = [Double](repeating: 0, count: n)
        x.storage.withUnsafeBufferPointer { a in
            for i in 0..<n {
                var s = 0.0
                for c in 0..<d { let v = a[i * d + c]; s += v * v }
                norms[i] = s
            }
        }
        return [Double](unsafeUninitializedCapacity: n * n) { c, initialized in
            x.storage.withUnsafeBufferPointer { a in
                // C (upper, row-major) = X Xᵀ; with beta = 0 BLAS writes C without reading it.
                cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(d), 1.0,
                            a.baseAddress, Int32(d), 0.0, c.baseAddress, Int32(n))
            }
            let buffer = SharedBuffer(pointer: c.baseAddress!)
            parallelChunks(count: n, minimumChunk: 64) { rows in
                for i in rows {
                    buffer[i * n + i] = gaussian.map { $0(0) } ?? 0
                    for j in (i + 1)..<max(i + 1, n) {
                        let v = Swift.max(-2 * buffer[i * n + j] + norms[i] + norms[j], 0)
                        buffer[i * n + j] = gaussian.map { $0(v) } ?? v
                    }
                }
            }
            mirrorUpperTriangle(buffer, n: n)
            initialized = n * n
        }
    }

    /// Copies the upper triangle of the row-major N × N matrix onto the lower one, in tiles
    /// of 64 × 64 so that the column-wise reads stay in cache.
    static func mirrorUpperTriangle(_ buffer: SharedBuffer<Double>, n: Int) {
        let tile = 64
        let tiles = (n + tile - 1) / tile
        parallelChunks(count: tiles, minimumChunk: 1) { tileRows in
            for rowTile in tileRows {
                let rows = (rowTile * tile)..<Swift.min(n, (rowTile + 1) * tile)
                for columnTile in 0...rowTile {
                    let columnStart = columnTile * tile
                    for i in rows {
                        let columnEnd = Swift.min(columnStart + tile, i)
                        guard columnStart < columnEnd else { continue }
                        for j in columnStart..<columnEnd { buffer[i * n + j] = buffer[j * n + i] }
                    }
                }
            }
        }
    }

    /// In place: D² ↦ exp(−D²/(2σ²)) · scale, elementwise, in parallel. `D²` is first
    /// passed through sqrt and squared again when `viaDistance` is set, reproducing
    /// scikit-learn's `pairwise_distances` followed by `D**2` bit for bit.
    static func applyGaussian(_ squared: inout [Double], sigma: Double, scale: Double, viaDistance: Bool) {
        let gaussian = Gaussian(denominator: 2 * sigma * sigma, scale: scale, viaDistance: viaDistance)
        let count = squared.count
        squared.withUnsafeMutableBufferPointer { p in
            let buffer = SharedBuffer(pointer: p.baseAddress!)
            parallelChunks(count: count, minimumChunk: 4096) { range in
                for i in range { buffer[i] = gaussian(buffer[i]) }
            }
        }
    }
}

/// Eigenvalues of a dense symmetric matrix through LAPACK's divide-and-conquer `dsyevd`
/// (the routine numpy's `eigvalsh` calls), ascending.
///
/// `matrix` holds the whole symmetric matrix (both triangles; every caller builds it so), so
/// it is its own transpose: LAPACK reads it column-major in place, where LAPACKE's row-major
/// interface would first transpose the whole N × N matrix into a copy. It reads the lower
/// triangle ("L", as numpy's `eigvalsh` does by default), which OpenBLAS reduces to
/// tridiagonal form faster than the upper one, and `dsyevd` rather than `dsyevd_2stage`
/// (Documentation/performance.md, "The eigenvalue solver reads the lower triangle").
enum SymmetricEigenvalues {
    static func of(_ matrix: inout [Double], n: Int) throws(EstimatorError) -> [Double] {
        var w = [Double](repeating: 0, count: n)
        let info = matrix.withUnsafeMutableBufferPointer { a in
            w.withUnsafeMutableBufferPointer { wp in
                LAPACKE_dsyevd(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "L")),
                               Int32(n), a.baseAddress, Int32(n), wp.baseAddress)
            }
        }
        guard info == 0 else { throw .lapackFailure(routine: "dsyevd", info: Int(info)) }
        return w
    }
}
