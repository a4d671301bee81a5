/// Kraskov–Stögbauer–Grassberger estimator of the mutual information I(X;Y) between two
/// continuous multivariate variables (Kraskov, Stögbauer & Grassberger, "Estimating
/// mutual information", Phys. Rev. E 69, 066138, 2004).
///
/// With ε_i the distance from z_i = (x_i, y_i) to its k-th nearest neighbour under the
/// max-norm max(‖x − x'‖∞, ‖y − y'‖∞), itself excluded:
/// - algorithm 1: n_x(i) = #{j ≠ i : ‖x_j − x_i‖∞ < ε_i} (strict), likewise n_y;
///   I = ψ(k) + ψ(N) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩.
/// - algorithm 2: ε_x(i), ε_y(i) = the largest marginal distances among the k joint
///   neighbours; n_x(i) = #{j ≠ i : ‖x_j − x_i‖∞ ≤ ε_x(i)} (non-strict);
///   I = ψ(k) − 1/k + ψ(N) − ⟨ψ(n_x) + ψ(n_y)⟩.
/// Units: nats (bits on request). Strict counts are exact (scikit-learn's nextafter
/// convention), neighbours exact. Negative values near I = 0 are the estimator's bias.
public struct KSGEstimator: Sendable {
    public enum Algorithm: Int, Sendable, Codable, CaseIterable {
        case one = 1
        case two = 2
    }

    public var algorithm: Algorithm
    public var search: NeighborSearch

    public init(k: Int = 3, algorithm: Algorithm = .one, standardization: Standardization = .none,
                tieBreaking: TieBreaking = .scikitLearn, strategy: SearchStrategy = .automatic) {
        self.algorithm = algorithm
        search = NeighborSearch(k: k, standardization: standardization, tieBreaking: tieBreaking, strategy: strategy)
    }

    /// I(X;Y) for paired rows of `x` (N × d_x) and `y` (N × d_y).
    public func mutualInformation(x: Matrix, y: Matrix, units: InformationUnit = .nats) throws(EstimatorError) -> Estimate {
        try x.validate(name: "x")
        try y.validate(name: "y")
        guard x.rows == y.rows else { throw .mismatchedRows(x.rows, y.rows) }
        try search.validateK()
        let (k, strategy) = (search.k, search.strategy)
        let n = x.rows
        guard n > k else { throw .tooFewSamples(n: n, required: k + 1, reason: "KSG with k = \(k)") }

        let xs = try search.prepare(x, name: "x", stream: 1)
        let ys = try search.prepare(y, name: "y", stream: 2)
        let joint = try xs.appendingColumns(of: ys)

        // The joint index (a k-d tree at low d) is built while the marginal ones are.
        let (jointIndex, (xIndex, yIndex, psi)) = concurrently(
            { NeighborIndex(points: joint, metric: .maximum, strategy: strategy) },
            { (NeighborIndex(points: xs, metric: .maximum, strategy: strategy),
               NeighborIndex(points: ys, metric: .maximum, strategy: strategy),
               SpecialFunctions.digammaTable(upTo: n + 1)) })
        let neighbours = jointIndex.kNearest(k: k)

        var sum = 0.0
        switch algorithm {
        case .one:
            let eps = (0..<n).map { neighbours.distances[$0 * k + k - 1] }
            let nx = xIndex.countWithin(radii: eps, strict: true)
            let ny = yIndex.countWithin(radii: eps, strict: true)
            for i in 0..<n {
                // Counts include the point itself when eps > 0: n_x + 1 = count.
                let cx = nx[i] - (eps[i] > 0 ? 1 : 0), cy = ny[i] - (eps[i] > 0 ? 1 : 0)
                sum += psi[cx + 1] + psi[cy + 1]
            }
            let value = psi[k] + psi[n] - sum / Double(n)
            return Estimate(value: InformationUnit.nats.convert(value, to: units), units: units, n: n, d: joint.columns)
        case .two:
            var epsX = [Double](repeating: 0, count: n), epsY = [Double](repeating: 0, count: n)
            for i in 0..<n {
                for m in 0..<k {
                    let j = neighbours.indices[i * k + m]
                    epsX[i] = Swift.max(epsX[i], KSGEstimator.maxNorm(xs, i, j))
                    epsY[i] = Swift.max(epsY[i], KSGEstimator.maxNorm(ys, i, j))
                }
            }
            let nx = xIndex.countWithin(radii: epsX, strict: false)
            let ny = yIndex.countWithin(radii: epsY, strict: false)
            for i in 0..<n { sum += psi[nx[i] - 1] + psi[ny[i] - 1] }
            let value = psi[k] - 1 / Double(k) + psi[n] - sum / Double(n)
            return Estimate(value: InformationUnit.nats.convert(value, to: units), units: units, n: n, d: joint.columns)
        }
    }

    @inline(__always)
    static func maxNorm(_ m: Matrix, _ i: Int, _ j: Int) -> Double {
        var best = 0.0
        let d = m.columns
        m.storage.withUnsafeBufferPointer { s in
            for c in 0..<d {
                let v = Swift.abs(s[j * d + c] - s[i * d + c])
                if v > best { best = v }
            }
        }
        return best
    }
}
