/// Diffusion spectral mutual information DSMI(T;Y) (Liao, Liu et al. 2023), as the official
/// package dse-dsmi 1.1 (`diffusion_spectral_mutual_information`) computes it for discrete Y:
///   DSMI = Σ_y p(y) · ( mean_r DSE(T[S_{y,r}]) − DSE(T | Y = y) ),
/// S_{y,r} (r = 1…5) random subsets of all rows of size N_y, p(y) = N_y / N, classes in sorted
/// order. The subsets are drawn as the package draws them — Python's `random` re-seeded with
/// `seed` (default 0) before each class, then `random.sample(range(N), N_y)` — with
/// `PythonRandom`, so the default result equals the package's; they can also be injected
/// (`subsets[y]`). A continuous 1-D Y is min-max scaled
/// and cut into `clusters` = 10 labels 1…10 as the package does. Units: bits.
public struct DiffusionSpectralMutualInformation: Sendable {
    public var entropy: DiffusionSpectralEntropy
    public var repetitions: Int
    public var clusters: Int
    public var seed: UInt64

    public init(entropy: DiffusionSpectralEntropy = DiffusionSpectralEntropy(), repetitions: Int = 5,
                clusters: Int = 10, seed: UInt64 = 0) {
        self.entropy = entropy
        self.repetitions = repetitions
        self.clusters = clusters
        self.seed = seed
    }

    /// DSMI(T;Y) for rows of `x` and their class `labels`.
    public func mutualInformation(x: Matrix, labels: [Int], subsets: [Int: [[Int]]]? = nil) throws(EstimatorError) -> Estimate {
        try x.validate(name: "x")
        guard x.rows == labels.count else { throw .mismatchedRows(x.rows, labels.count) }
        guard repetitions >= 1 else { throw .invalidParameter("repetitions must be at least 1") }
        let n = x.rows
        var members: [Int: [Int]] = [:]
        for (i, label) in labels.enumerated() { members[label, default: []].append(i) }
        var total = 0.0
        for label in members.keys.sorted() {
            let rows = members[label]!
            let conditional = try entropy.entropy(x.selectingRows(rows)).value
            var draws: [[Int]]
            if let given = subsets?[label] {
                guard given.allSatisfy({ $0.count == rows.count && $0.allSatisfy { (0..<n).contains($0) } }) else {
                    throw .invalidParameter("subsets for label \(label) must each hold \(rows.count) row indices in 0..<\(n)")
                }
                draws = given
            } else {
                // As the package: random.seed(seed) before each class, then random.sample.
                var generator = PythonRandom(seed: seed)
                draws = (0..<repetitions).map { _ in generator.sample(from: n, count: rows.count) }
            }
            var marginal = 0.0
            for draw in draws { marginal += try entropy.entropy(x.selectingRows(draw)).value }
            marginal /= Double(draws.count)
            total += Double(rows.count) / Double(n) * (marginal - conditional)
        }
        return Estimate(value: total, units: .bits, n: n, d: x.columns)
    }

    /// DSMI(T;Y) for a continuous scalar Y: labels 1…clusters by min-max scaling and
    /// np.digitize on linspace(0, 1, clusters + 1)[:-1], as the package does.
    public func mutualInformation(x: Matrix, continuous y: [Double], subsets: [Int: [[Int]]]? = nil) throws(EstimatorError) -> Estimate {
        try mutualInformation(x: x, labels: try DiffusionSpectralMutualInformation.binLabels(y, clusters: clusters), subsets: subsets)
    }

    /// The package's scalar binning of a continuous reference variable.
    public static func binLabels(_ y: [Double], clusters: Int) throws(EstimatorError) -> [Int] {
        guard let lo = y.min(), let hi = y.max() else { throw .empty("y") }
        guard y.allSatisfy(\.isFinite) else { throw .nonFinite(name: "y", row: y.firstIndex { !$0.isFinite }!, column: 0, value: .nan) }
        guard hi > lo else { throw .zeroVariance(name: "y", column: 0) }
        // np.linspace(0, 1, clusters + 1)[:-1]: edge_i = i * (1 / clusters)
        let step = 1.0 / Double(clusters)
        let edges = (0..<clusters).map { Double($0) * step }
        return y.map { v in
            let scaled = (v - lo) / (hi - lo)
            return edges.reduce(0) { $0 + ($1 <= scaled ? 1 : 0) }
        }
    }
}
