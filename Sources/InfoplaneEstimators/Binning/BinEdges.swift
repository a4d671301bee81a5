/// How activation values are cut into bins.
public enum BinningScheme: Sendable, Equatable, Codable {
    /// `bins` equal-width intervals over [lower, upper] for every unit (Shwartz-Ziv &
    /// Tishby 2017 use [−1, 1] for tanh layers).
    case fixed(lower: Double, upper: Double)
    /// Equal-width intervals over the layer's observed [min, max], all units together
    /// (Saxe et al. 2018 for ReLU layers).
    case observed
    /// Equal-mass bins per unit (Chelombiev, Houghton & O'Donnell 2019): interior edges
    /// e_j = sorted[⌊j·N/bins⌋], j = 1…bins−1.
    case adaptive
}

/// Bin edges fitted for a layer: the same interior edges for every unit, or one set per
/// unit. A value's bin is the number of interior edges <= value, so intervals are
/// [e_i, e_{i+1}), the last one closed, and values outside the range fall in the end bins
/// (np.searchsorted(edges[1:-1], v, "right") on np.linspace edges).
public struct BinEdges: Sendable, Equatable {
    public let bins: Int
    public let units: Int
    /// Interior edges: `bins − 1` values, shared (count bins − 1) or per unit (units × (bins − 1)).
    public let interior: [Double]
    public let perUnit: Bool

    /// Fits edges for `scheme` on `layer` (N samples × units).
    public static func fit(_ layer: Matrix, bins: Int, scheme: BinningScheme) throws(EstimatorError) -> BinEdges {
        guard bins >= 1, bins <= Int(UInt16.max) else { throw .invalidParameter("bins must be in 1...65535, got \(bins)") }
        try layer.validate(name: "activations")
        switch scheme {
        case let .fixed(lower, upper):
            guard lower.isFinite, upper.isFinite, lower < upper else {
                throw .invalidParameter("fixed binning range must satisfy lo < hi, got [\(lower), \(upper)]")
            }
            return BinEdges(bins: bins, units: layer.columns, interior: linspaceInterior(lower, upper, bins), perUnit: false)
        case .observed:
            let lower = layer.storage.min()!, upper = layer.storage.max()!
            return BinEdges(bins: bins, units: layer.columns, interior: linspaceInterior(lower, upper, bins), perUnit: false)
        case .adaptive:
            let n = layer.rows
            var interior: [Double] = []
            interior.reserveCapacity(layer.columns * (bins - 1))
            for unit in 0..<layer.columns {
                let sorted = layer.column(unit).sorted()
                for j in 1..<max(bins, 1) { interior.append(sorted[j * n / bins]) }
            }
            return BinEdges(bins: bins, units: layer.columns, interior: interior, perUnit: true)
        }
    }

    /// Equal-width edges for fixed bins over [lower, upper], any layer width.
    public static func fixed(lower: Double, upper: Double, bins: Int, units: Int) throws(EstimatorError) -> BinEdges {
        guard bins >= 1, bins <= Int(UInt16.max) else { throw .invalidParameter("bins must be in 1...65535, got \(bins)") }
        guard lower.isFinite, upper.isFinite, lower < upper else {
            throw .invalidParameter("fixed binning range must satisfy lo < hi, got [\(lower), \(upper)]")
        }
        return BinEdges(bins: bins, units: units, interior: linspaceInterior(lower, upper, bins), perUnit: false)
    }

    /// numpy's linspace(lo, hi, bins + 1)[1:-1]: i·((hi − lo)/bins) + lo.
    static func linspaceInterior(_ lower: Double, _ upper: Double, _ bins: Int) -> [Double] {
        let step = (upper - lower) / Double(bins)
        return (1..<max(bins, 1)).map { step == 0 ? lower : Double($0) * step + lower }
    }

    /// Bin index of `value` in `unit`: the number of interior edges <= value. Shared
    /// equal-width edges start from the arithmetic guess ⌊(v − e₀)/(e₁ − e₀)⌋ + 1 and correct
    /// it against the actual edges, so the result is the binary search's exactly.
    @inline(__always)
    func index(_ value: Double, unit: Int, _ edges: UnsafeBufferPointer<Double>) -> UInt16 {
        let m = bins - 1
        if !perUnit && m >= 2 {
            let first = edges[0], width = edges[1] - edges[0]
            if width > 0 {
                let guess = ((value - first) / width).rounded(.down) + 1
                var g = guess < 0 ? 0 : (guess > Double(m) ? m : Int(guess))
                while g > 0 && edges[g - 1] > value { g -= 1 }
                while g < m && edges[g] <= value { g += 1 }
                return UInt16(g)
            }
        }
        let base = perUnit ? unit * m : 0
        var lo = 0, hi = m
        while lo < hi {
            let mid = (lo + hi) >> 1
            if edges[base + mid] <= value { lo = mid + 1 } else { hi = mid }
        }
        return UInt16(lo)
    }
}
