import CLAPACK

/// Row-major dense linear algebra over `[Double]` through BLAS and LAPACK: the products,
/// orthonormalisation and small decompositions the compression solvers are made of.
enum DenseProducts {
    /// A · B with A m × k and B k × n; `transposeA`: A stored k × m, `transposeB`: B stored
    /// n × k (BLAS `dgemm`).
    static func multiply(_ a: [Double], _ m: Int, _ k: Int, _ b: [Double], _ n: Int,
                         transposeA: Bool = false, transposeB: Bool = false) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        multiply(a, m, k, b, n, into: &c, transposeA: transposeA, transposeB: transposeB)
        return c
    }

    /// C ← α · A · B + β · C, C m × n, A and B as in `multiply(_:_:_:_:_:transposeA:transposeB:)`
    /// (BLAS `dgemm`). An empty product (m, n or k zero) leaves C as it is.
    static func multiply(_ a: [Double], _ m: Int, _ k: Int, _ b: [Double], _ n: Int, into c: inout [Double],
                         transposeA: Bool = false, transposeB: Bool = false, alpha: Double = 1, beta: Double = 0) {
        guard m > 0, n > 0, k > 0 else { return }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                                transposeB ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), alpha, ap.baseAddress, Int32(transposeA ? m : k),
                                bp.baseAddress, Int32(transposeB ? k : n), beta, cp.baseAddress, Int32(n))
                }
            }
        }
    }

    /// An orthonormal basis of the column space of A (`rows` × `columns`, rows ≥ columns):
    /// Q of the QR decomposition (LAPACK `dgeqrf` + `dorgqr`).
    static func orthonormalized(_ a: [Double], rows: Int, columns: Int) throws(EstimatorError) -> [Double] {
        precondition(rows >= columns)
        var q = a
        var tau = [Double](repeating: 0, count: columns)
        var info = q.withUnsafeMutableBufferPointer { qp in
            tau.withUnsafeMutableBufferPointer { tp in
                LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, Int32(rows), Int32(columns), qp.baseAddress, Int32(columns), tp.baseAddress)
            }
        }
        guard info == 0 else { throw .lapackFailure(routine: "dgeqrf", info: Int(info)) }
        info = q.withUnsafeMutableBufferPointer { qp in
            tau.withUnsafeBufferPointer { tp in
                LAPACKE_dorgqr(LAPACK_ROW_MAJOR, Int32(rows), Int32(columns), Int32(columns), qp.baseAddress,
                               Int32(columns), tp.baseAddress)
            }
        }
        guard info == 0 else { throw .lapackFailure(routine: "dorgqr", info: Int(info)) }
        return q
    }

    /// The eigen-decomposition of the symmetric `n` × `n` matrix `a` (row-major, its upper
    /// triangle read; LAPACK `dsyevd`): the eigenvalues, ascending, are returned and `a` is
    /// overwritten with the eigenvectors, one per column.
    static func symmetricEigenDecomposition(_ a: inout [Double], n: Int) throws(EstimatorError) -> [Double] {
        var w = [Double](repeating: 0, count: n)
        let info = a.withUnsafeMutableBufferPointer { ap in
            w.withUnsafeMutableBufferPointer { wp in
                LAPACKE_dsyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")), Int32(n),
                               ap.baseAddress, Int32(n), wp.baseAddress)
            }
        }
        guard info == 0 else { throw .lapackFailure(routine: "dsyevd", info: Int(info)) }
        return w
    }

    /// The thin SVD A = U Σ Vᵀ of A (`rows` × `columns`, rows ≥ columns): U (`rows` ×
    /// `columns`) and the singular values, descending (LAPACK `dgesdd`).
    static func thinSingularValueDecomposition(_ a: [Double], rows: Int, columns: Int)
        throws(EstimatorError) -> (u: [Double], singularValues: [Double]) {
        precondition(rows >= columns)
        var work = a
        var s = [Double](repeating: 0, count: columns)
        var u = [Double](repeating: 0, count: rows * columns)
        var vt = [Double](repeating: 0, count: columns * columns)
        let info = work.withUnsafeMutableBufferPointer { ap in
            s.withUnsafeMutableBufferPointer { sp in
                u.withUnsafeMutableBufferPointer { up in
                    vt.withUnsafeMutableBufferPointer { vp in
                        LAPACKE_dgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "S")), Int32(rows), Int32(columns),
                                       ap.baseAddress, Int32(columns), sp.baseAddress, up.baseAddress, Int32(columns),
                                       vp.baseAddress, Int32(columns))
                    }
                }
            }
        }
        guard info == 0 else { throw .lapackFailure(routine: "dgesdd", info: Int(info)) }
        return (u, s)
    }
}
