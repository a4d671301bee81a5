/// When a k-nearest-neighbour estimate (KSG, the mixed estimator, Kozachenko–Leonenko) has
/// too few samples for the dimension it searched in, and its value says more about the
/// sample size than about the data.
///
/// The bias of the fixed-k kNN entropy and information estimators shrinks with the distance
/// to the k-th neighbour, which scales like (k/N)^(1/d) in d dimensions: Gao, Oh & Viswanath
/// (2018), "Demystifying fixed k-nearest neighbor information estimators", IEEE Trans.
/// Inf. Theory 64(8), bound the bias by a term of order (k log N / N)^(1/d). The rule flags
/// an estimate when that scale is above one half, (k/N)^(1/d) > 1/2, that is N < k · 2^d:
/// with k = 3, N = 4096 samples carry 10 dimensions (5 of X and 5 of T, the defaults), and
/// N = 1024 carry 8.
public enum NearestNeighborSampleRule {
    /// True when `n` samples are too few for `d` dimensions with `k` neighbours.
    public static func isTooFew(n: Int, d: Int, k: Int) -> Bool {
        guard d > 0, k > 0 else { return false }
        guard d < 62 else { return true }
        return n < k * (1 << d)
    }
}
