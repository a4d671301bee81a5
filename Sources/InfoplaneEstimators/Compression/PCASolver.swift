/// How `PCA.fit` finds the leading principal directions of an N × d data matrix.
///
/// Only `covariance` forms a d × d matrix; the other two keep memory at O(N · d) (the data)
/// plus O((N + d) · l) or O(N²), so a 65,536-wide layer never needs a 34 GB covariance.
public enum PCASolver: Sendable, Equatable {
    /// Exact: eigen-decomposition of the d × d sample covariance (LAPACK `dsyevd`).
    /// O(N · d² + d³) time, O(d²) memory. For narrow layers.
    case covariance
    /// Exact: eigen-decomposition of the N × N Gram matrix C Cᵀ of the centred data, then
    /// v = Cᵀ u / σ. O(N² · d + N³) time, O(N²) extra memory. For d > N when most
    /// components are wanted.
    case gram
    /// Approximate: the randomized range finder with power iterations (Halko, Martinsson &
    /// Tropp 2011, algorithms 4.4 and 5.1): Q = orth((C Cᵀ)^q C Ω) for a Gaussian d × l test
    /// matrix Ω, l = components + `oversamples`, then the thin SVD of Cᵀ Q. O(N · d · l · q)
    /// time, O((N + d) · l) extra memory; the data is centred implicitly, never copied.
    /// `powerIterations` nil picks scikit-learn's rule: 7 when the components are fewer than
    /// a tenth of min(N, d), else 4.
    case randomized(oversamples: Int = 10, powerIterations: Int? = nil, seed: UInt64 = 0)

    /// Widths up to this use the exact covariance solver under `.automatic`.
    public static let exactWidthLimit = 500

    /// The solver scikit-learn's `svd_solver="auto"` would pick, with the Gram matrix in
    /// place of a full SVD when the data is wider than tall: exact for small data
    /// (max(N, d) ≤ 500) or when the components are 80 % or more of min(N, d), randomized
    /// otherwise.
    public static func automatic(rows: Int, columns: Int, components: Int, seed: UInt64 = 0) -> PCASolver {
        let smallest = Swift.min(rows, columns)
        if Swift.max(rows, columns) <= exactWidthLimit || columns <= exactWidthLimit && columns <= rows {
            return .covariance
        }
        if Double(components) < 0.8 * Double(smallest) { return .randomized(seed: seed) }
        return columns > rows ? .gram : .covariance
    }
}
