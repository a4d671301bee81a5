import Foundation

/// Kozachenko–Leonenko differential entropy estimator (Kozachenko & Leonenko, "Sample
/// estimate of the entropy of a random vector", Probl. Inf. Transm. 23, 1987; in the form
/// of Kraskov et al. 2004, eq. 20):
///   H(X) = ψ(N) − ψ(k) + log V_d + (d/N) Σ_i log r_i,
/// r_i the distance to the k-th nearest neighbour, V_d the volume of the unit ball of the
/// metric (2^d for the max-norm, r being the half side; π^{d/2}/Γ(d/2+1) for Euclidean).
/// Units: nats (bits on request). Differential entropy: can be negative.
public struct KozachenkoLeonenkoEstimator: NeighborEstimator {
    public var search: NeighborSearch

    public static let defaultTieBreaking = TieBreaking.none

    public init(search: NeighborSearch) { self.search = search }

    /// H(X) for the rows of `x`. Throws `.duplicateSamples` when a k-NN distance is zero.
    public func entropy(_ x: Matrix, units: InformationUnit = .nats) throws(EstimatorError) -> Estimate {
        try x.validate(name: "x")
        try search.validateK()
        let (k, metric) = (search.k, search.metric)
        let n = x.rows, d = x.columns
        guard n > k else { throw .tooFewSamples(n: n, required: k + 1, reason: "Kozachenko–Leonenko with k = \(k)") }
        let xs = try search.prepare(x, name: "x", stream: 1)
        let distances = NeighborIndex(points: xs, metric: metric, strategy: search.strategy).kNearest(k: k).distances
        var sumLog = 0.0
        for i in 0..<n {
            let r = distances[i * k + k - 1]
            guard r > 0 else {
                throw .duplicateSamples("row \(i) has \(k) or more identical copies, so log r = −∞")
            }
            sumLog += log(r)
        }
        let value = SpecialFunctions.digamma(Double(n)) - SpecialFunctions.digamma(Double(k))
            + SpecialFunctions.logUnitBallVolume(dimension: d, metric: metric) + Double(d) * sumLog / Double(n)
        return Estimate(value: InformationUnit.nats.convert(value, to: units), units: units, n: n, d: d)
    }
}
