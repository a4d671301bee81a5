import Foundation

/// Special functions the estimators need, accurate to a few ulp.
public enum SpecialFunctions {
    /// The digamma function ψ(x) = d/dx log Γ(x) for x > 0: recurrence ψ(x) = ψ(x+1) − 1/x
    /// up to x ≥ 10, then the asymptotic series log x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ).
    public static func digamma(_ x: Double) -> Double {
        precondition(x > 0, "digamma is only needed for positive arguments")
        var x = x
        var shift = 0.0
        while x < 10 {
            shift -= 1 / x
            x += 1
        }
        let inv = 1 / x
        let inv2 = inv * inv
        // Bernoulli terms B2k / (2k): 1/12, 1/120, 1/252, 1/240, 1/132, 691/32760, 1/12
        let series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132 - inv2 * (691.0 / 32760 - inv2 / 12))))))
        return shift + log(x) - 0.5 * inv - series
    }

    /// ψ(n) for n = 0...upTo (entry 0 is unused and set to NaN): the integer arguments that
    /// the kNN estimators evaluate millions of times.
    public static func digammaTable(upTo n: Int) -> [Double] {
        var table = [Double](repeating: .nan, count: n + 1)
        guard n >= 1 else { return table }
        for i in 1...n { table[i] = digamma(Double(i)) }
        return table
    }

    /// log of the volume of the unit ball in `d` dimensions: 2^d for the max-norm
    /// (radius = half the side), π^(d/2)/Γ(d/2 + 1) for the Euclidean norm.
    public static func logUnitBallVolume(dimension d: Int, metric: DistanceMetric) -> Double {
        switch metric {
        case .maximum: return Double(d) * M_LN2
        case .euclidean: return Double(d) / 2 * log(Double.pi) - lgamma(Double(d) / 2 + 1)
        }
    }
}
