/// The norm neighbours are measured in.
public enum DistanceMetric: String, Sendable, Codable, CaseIterable {
    /// max_j |a_j − b_j| (Chebyshev). KSG's choice: the joint-space ball is the product of
    /// the marginal balls (Kraskov et al. 2004, §II).
    case maximum
    /// sqrt(Σ_j (a_j − b_j)²).
    case euclidean

    /// Distances are compared in "reduced" form: the max-norm itself, or the squared
    /// Euclidean distance (as scikit-learn's trees do), both summed in coordinate order.
    @inline(__always) func reduced(fromDistance r: Double) -> Double {
        self == .maximum ? r : r * r
    }

    @inline(__always) func distance(fromReduced r: Double) -> Double {
        self == .maximum ? r : r.squareRoot()
    }
}

/// Which neighbour-search structure to use.
public enum SearchStrategy: String, Sendable, CaseIterable {
    /// Sorted array for d = 1, k-d tree for low d, blocked brute force for high d.
    case automatic
    case kdTree
    case bruteForce

    /// The concrete choice for `n` points in `d` dimensions. Trees stop pruning once
    /// 2^d approaches N/leaf, so beyond that dimension brute force wins.
    func resolved(n: Int, d: Int) -> SearchStrategy {
        guard self == .automatic else { return self }
        var bits = 0
        var m = max(n, 1)
        while m > 1 { m >>= 1; bits += 1 }
        return d <= max(2, min(10, bits - 2)) ? .kdTree : .bruteForce
    }
}
