import InfoplaneEstimators

/// Picks σ for the DSE/DSMI Gaussian kernel from the data's own scale: `scale` times the
/// median Euclidean distance between rows (the median heuristic, on at most `maxRows`
/// rows). A fixed σ is not scale-invariant: a layer whose weights grow would appear to
/// gain or lose entropy; scaled σ keeps DSE about the shape of the representation.
enum KernelBandwidth {
    static func median(of m: Matrix, scale: Double, maxRows: Int = 512, seed: UInt64 = 0) -> Double {
        let rows = SampleSubset.indices(rows: m.rows, limit: maxRows, seed: seed) ?? Array(0..<m.rows)
        let d = m.columns
        var distances: [Double] = []
        distances.reserveCapacity(rows.count * (rows.count - 1) / 2)
        m.storage.withUnsafeBufferPointer { s in
            for a in 0..<rows.count {
                let i = rows[a] * d
                for b in (a + 1)..<max(rows.count, a + 1) {
                    let j = rows[b] * d
                    var sum = 0.0
                    for c in 0..<d {
                        let v = s[i + c] - s[j + c]
                        sum += v * v
                    }
                    distances.append(sum.squareRoot())
                }
            }
        }
        guard !distances.isEmpty else { return 1 }
        let middle = distances.count / 2
        let median = quickselect(&distances, middle)
        // Constant or near-constant data: any σ gives the same (zero) spread; avoid σ = 0.
        return median > 0 ? scale * median : 1
    }

    /// The k-th smallest value (0-based), reordering `values`.
    static func quickselect(_ values: inout [Double], _ k: Int) -> Double {
        var lo = 0, hi = values.count - 1
        while lo < hi {
            let pivot = values[(lo + hi) / 2]
            var i = lo, j = hi
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j { values.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return values[k] }
        }
        return values[k]
    }
}
