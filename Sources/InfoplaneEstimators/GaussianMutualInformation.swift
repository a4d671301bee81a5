import CLAPACK
import Foundation

/// Mutual information of jointly Gaussian variables from the sample covariance, as a
/// baseline (Cover & Thomas, Elements of Information Theory, 2nd ed., eq. 8.56 and §9):
///   I(X;Y) = ½ (log det Σ_X + log det Σ_Y − log det Σ),
/// Σ the joint sample covariance (ddof 1; the normalisation cancels), log-determinants by
/// Cholesky factorisation (LAPACK `dpotrf`). Units: nats (bits on request). Exact for
/// Gaussian data, a lower bound on I for any distribution with that covariance.
public struct GaussianMutualInformation: Sendable {
    public init() {}

    public func mutualInformation(x: Matrix, y: Matrix, units: InformationUnit = .nats) throws(EstimatorError) -> Estimate {
        try x.validate(name: "x")
        try y.validate(name: "y")
        guard x.rows == y.rows else { throw .mismatchedRows(x.rows, y.rows) }
        let joint = try x.appendingColumns(of: y)
        let d = joint.columns
        guard joint.rows > d else {
            throw .tooFewSamples(n: joint.rows, required: d + 1, reason: "a full-rank \(d)-dimensional covariance")
        }
        for (c, s) in joint.columnStandardDeviations(ddof: 1).enumerated() where !(s > 0) {
            throw .zeroVariance(name: c < x.columns ? "x" : "y", column: c < x.columns ? c : c - x.columns)
        }
        let covariance = GaussianMutualInformation.covariance(joint)
        let dx = x.columns
        let xIdx = Array(0..<dx), yIdx = Array(dx..<d)
        let value = 0.5 * (try GaussianMutualInformation.logDeterminant(covariance, d, xIdx)
            + GaussianMutualInformation.logDeterminant(covariance, d, yIdx)
            - GaussianMutualInformation.logDeterminant(covariance, d, Array(0..<d)))
        return Estimate(value: InformationUnit.nats.convert(value, to: units), units: units, n: x.rows, d: d)
    }

    /// Sample covariance (ddof 1), d × d row-major.
    static func covariance(_ m: Matrix) -> [Double] {
        let n = m.rows, d = m.columns
        let mean = m.columnMeans()
        var centred = m.storage
        for i in centred.indices { centred[i] -= mean[i % d] }
        var c = [Double](repeating: 0, count: d * d)
        centred.withUnsafeBufferPointer { a in
            c.withUnsafeMutableBufferPointer { out in
                cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(d), Int32(n), 1 / Double(n - 1),
                            a.baseAddress, Int32(d), a.baseAddress, Int32(d), 0, out.baseAddress, Int32(d))
            }
        }
        return c
    }

    static func logDeterminant(_ c: [Double], _ d: Int, _ indices: [Int]) throws(EstimatorError) -> Double {
        let m = indices.count
        var sub = [Double](repeating: 0, count: m * m)
        for (a, i) in indices.enumerated() { for (b, j) in indices.enumerated() { sub[a * m + b] = c[i * d + j] } }
        let info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "L")), Int32(m), &sub, Int32(m))
        guard info == 0 else { throw .lapackFailure(routine: "dpotrf (covariance not positive definite)", info: Int(info)) }
        return (0..<m).reduce(0.0) { $0 + 2 * log(sub[$1 * m + $1]) }
    }
}
