import Foundation
import InfoplaneTestSupport

/// Activations built so that the pipeline's estimators produce known shapes.
///
/// Binning (fixed range [-1, 1], 30 bins): a value is placed at the centre of a chosen bin,
/// so the binned pattern of a row is exactly what the test chose and the plug-in entropy
/// H(binned T) = I(X;T) depends only on how many distinct patterns the rows use.
enum ScenarioActivations {
    static let bins = 30

    /// The centre of bin `b` of 30 equal bins on [-1, 1].
    static func binCentre(_ b: Int) -> Float { Float(-1 + (Double(b) + 0.5) * 2 / Double(bins)) }

    /// A layer of `columns` columns whose every value is one of `levels` (≤ 30) bin centres,
    /// drawn uniformly per row and column: about `levels^columns` equally likely patterns,
    /// so H(binned T) ≈ min(columns · log2(levels), ~log2(rows)). Returns the values and the
    /// level index of column 0 per row.
    static func quantised(rows: Int, columns: Int, levels: Int, rng: inout SeededGenerator) -> (values: [Float], firstLevel: [Int]) {
        var values = [Float](repeating: 0, count: rows * columns)
        var first = [Int](repeating: 0, count: rows)
        for r in 0..<rows {
            for c in 0..<columns {
                let level = min(Int(rng.uniform() * Double(levels)), levels - 1)
                if c == 0 { first[r] = level }
                values[r * columns + c] = binCentre(level * bins / levels)
            }
        }
        return (values, first)
    }

    /// One column carrying the binary label through a binary symmetric channel: -0.5 for
    /// label 0, +0.5 for label 1, flipped with probability `flip`. Binning I(T;Y) is then
    /// about 1 − H₂(flip) bits for balanced labels.
    static func noisyLabelCopy(labels: [Int64], flip: Double, rng: inout SeededGenerator) -> [Float] {
        labels.map { y in
            let shown = rng.uniform() < flip ? 1 - y : y
            return shown == 1 ? 0.5 : -0.5
        }
    }

    /// Balanced random binary labels.
    static func binaryLabels(rows: Int, rng: inout SeededGenerator) -> [Int64] {
        (0..<rows).map { _ in rng.uniform() < 0.5 ? 0 : 1 }
    }

    /// Rows of independent standard normals: a full-rank representation.
    static func gaussian(rows: Int, columns: Int, scale: Double = 1, rng: inout SeededGenerator) -> [Float] {
        (0..<(rows * columns)).map { _ in Float(scale * rng.gaussian()) }
    }

    /// A collapsed representation: every row sits on one of four codes along a single fixed
    /// direction (rank 1), plus `jitter` of isotropic noise.
    static func collapsed(rows: Int, columns: Int, jitter: Double, rng: inout SeededGenerator) -> [Float] {
        let direction = (0..<columns).map { c in Double(c % 2 == 0 ? 1 : -1) / Double(columns).squareRoot() }
        var out = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            let code = Double(min(Int(rng.uniform() * 4), 3)) - 1.5
            for c in 0..<columns { out[r * columns + c] = Float(code * 2 * direction[c] + jitter * rng.gaussian()) }
        }
        return out
    }
}
