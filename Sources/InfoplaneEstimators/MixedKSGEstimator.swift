/// Mutual information I(X;Y) between a continuous (multivariate) X and a discrete label Y,
/// by the nearest-neighbour method of Ross ("Mutual information between discrete and
/// continuous data sets", PLoS ONE 9, e87357, 2014), computed as scikit-learn's
/// `mutual_info_classif` does (sklearn.feature_selection._mutual_info._compute_mi_cd):
/// for a point with label c, k_i = min(k, N_c − 1), d_i the distance to its k_i-th
/// neighbour among points of the same label, m_i = #{j : ‖x_j − x_i‖ < d_i} over all
/// points (itself included); points whose label occurs once are dropped, N counts the rest;
///   I = ψ(N) + ⟨ψ(k_i)⟩ − ⟨ψ(N_{c_i})⟩ − ⟨ψ(m_i)⟩.
/// Units: nats (bits on request). scikit-learn clips the result at 0; this does not.
public struct MixedKSGEstimator: NeighborEstimator {
    public var search: NeighborSearch

    public static let defaultTieBreaking = TieBreaking.scikitLearn

    public init(search: NeighborSearch) { self.search = search }

    /// I(X;Y) for rows of `x` and their integer class `labels`.
    public func mutualInformation(x: Matrix, labels: [Int], units: InformationUnit = .nats) throws(EstimatorError) -> Estimate {
        try x.validate(name: "x")
        guard x.rows == labels.count else { throw .mismatchedRows(x.rows, labels.count) }
        try search.validateK()
        let (k, metric, strategy) = (search.k, search.metric, search.strategy)
        let xs = try search.prepare(x, name: "x", stream: 1)

        var members: [Int: [Int]] = [:]
        for (i, label) in labels.enumerated() { members[label, default: []].append(i) }
        var kept: [Int] = []
        var radius = [Double](repeating: 0, count: x.rows)
        var kOf = [Int](repeating: 0, count: x.rows)
        var classSize = [Int](repeating: 0, count: x.rows)
        for label in members.keys.sorted() {
            let rows = members[label]!
            for i in rows { classSize[i] = rows.count }
            guard rows.count > 1 else { continue }
            let kc = Swift.min(k, rows.count - 1)
            let distances = NeighborIndex(points: xs.selectingRows(rows), metric: metric, strategy: strategy)
                .kNearest(k: kc).distances
            for (p, i) in rows.enumerated() {
                radius[i] = distances[p * kc + kc - 1]
                kOf[i] = kc
            }
            kept.append(contentsOf: rows)
        }
        kept.sort()
        let n = kept.count
        guard n >= 2 else {
            throw .tooFewSamples(n: n, required: 2, reason: "the mixed estimator (labels seen at least twice)")
        }
        let m = NeighborIndex(points: xs.selectingRows(kept), metric: metric, strategy: strategy)
            .countWithin(radii: kept.map { radius[$0] }, strict: true)
        let psi = SpecialFunctions.digammaTable(upTo: x.rows + 1)
        var sumK = 0.0, sumClass = 0.0, sumM = 0.0
        for (p, i) in kept.enumerated() {
            guard m[p] >= 1 else {
                throw .duplicateSamples("row \(i) has \(kOf[i]) identical same-label copies, so no point lies strictly inside its radius")
            }
            sumK += psi[kOf[i]]
            sumClass += psi[classSize[i]]
            sumM += psi[m[p]]
        }
        let value = psi[n] + (sumK - sumClass - sumM) / Double(n)
        return Estimate(value: InformationUnit.nats.convert(value, to: units), units: units, n: n, d: x.columns)
    }
}
