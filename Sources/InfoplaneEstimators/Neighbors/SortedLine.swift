/// One-dimensional neighbour search on a sorted copy of the values: k nearest by walking
/// outwards from each point's position, range counts by two binary searches. Exact:
/// the searches use the predicate reduced(|s − x|) <= t evaluated in floating point
/// (|s − x| for the max-norm, (s − x)² for Euclidean, as scikit-learn's trees compare),
/// which is monotone along the sorted array.
struct SortedLine: Sendable {
    let sorted: [Double]
    /// Original row of each sorted position, and the position of each original row.
    let order: [Int]
    let position: [Int]
    let metric: DistanceMetric

    init(values: [Double], metric: DistanceMetric) {
        self.metric = metric
        // (value, row) pairs sorted by value; the sort is stable, so equal values keep
        // their rows in ascending order.
        var pairs = values.enumerated().map { (value: $0.element, row: $0.offset) }
        pairs.sort { $0.value < $1.value }
        let order = pairs.map(\.row)
        self.order = order
        self.sorted = pairs.map(\.value)
        var position = [Int](repeating: 0, count: values.count)
        for (p, row) in order.enumerated() { position[row] = p }
        self.position = position
    }

    var count: Int { sorted.count }

    /// Calls `body(row, p, x, s)` for every point, the rows split across the cores: `p` is
    /// the row's position in the sorted values `s`, `x = s[p]` its value.
    @inline(__always)
    private func forEachPoint(_ body: (_ row: Int, _ p: Int, _ x: Double, _ s: UnsafeBufferPointer<Double>) -> Void) {
        parallelChunks(count: count, minimumChunk: 256) { range in
            sorted.withUnsafeBufferPointer { s in
                for row in range {
                    let p = position[row]
                    body(row, p, s[p], s)
                }
            }
        }
    }

    func kNearestOfAll(k: Int, reducedOut: SharedBuffer<Double>, indexOut: SharedBuffer<Int>) {
        let n = count
        forEachPoint { row, p, x, s in
            var l = p - 1, r = p + 1
            for m in 0..<k {
                let dl = l >= 0 ? metric.reduced(fromDistance: x - s[l]) : .infinity
                let dr = r < n ? metric.reduced(fromDistance: s[r] - x) : .infinity
                if dl <= dr {
                    reducedOut[row * k + m] = dl; indexOut[row * k + m] = l >= 0 ? order[l] : -1; l -= 1
                } else {
                    reducedOut[row * k + m] = dr; indexOut[row * k + m] = r < n ? order[r] : -1; r += 1
                }
            }
        }
    }

    func countWithinOfAll(reducedThresholds: [Double], out: SharedBuffer<Int>) {
        let n = count
        forEachPoint { row, p, x, s in
            let t = reducedThresholds[row]
            guard t >= 0 else { out[row] = 0; return }
            // First position whose value v has x - v <= t (v <= x side).
            var lo = 0, hi = p
            while lo < hi {
                let mid = (lo + hi) / 2
                if metric.reduced(fromDistance: x - s[mid]) <= t { hi = mid } else { lo = mid + 1 }
            }
            let first = lo
            // First position after p whose value v has v - x > t.
            lo = p + 1; hi = n
            while lo < hi {
                let mid = (lo + hi) / 2
                if metric.reduced(fromDistance: s[mid] - x) <= t { lo = mid + 1 } else { hi = mid }
            }
            out[row] = lo - first
        }
    }
}
