/// Exact neighbour search by computing every distance, in blocks of candidates laid out
/// column by column so that the inner loop over candidates vectorises. Wins over trees
/// once the dimension is high enough that trees stop pruning (d ≳ 10 at N = 4096).
/// Distances are accumulated in coordinate order, so they equal the k-d tree's bit for bit.
struct BruteForceSearch: Sendable {
    let dimension: Int
    let count: Int
    let metric: DistanceMetric
    /// Row-major copy for the query side.
    let rowMajor: [Double]
    /// Column-major (d × N) copy for the candidate side.
    let columnMajor: [Double]

    static let block = 512

    init(points: Matrix, metric: DistanceMetric) {
        dimension = points.columns
        count = points.rows
        self.metric = metric
        rowMajor = points.storage
        var t = [Double](repeating: 0, count: points.rows * points.columns)
        for r in 0..<points.rows {
            for c in 0..<points.columns { t[c * points.rows + r] = points.storage[r * points.columns + c] }
        }
        columnMajor = t
    }

    /// Fills `acc[0..<len]` with reduced distances from query `q` to candidates start..<start+len.
    @inline(__always)
    private func blockDistances(_ q: UnsafePointer<Double>, _ cols: UnsafePointer<Double>, _ from: Int, _ len: Int, _ acc: UnsafeMutablePointer<Double>) {
        for j in 0..<len { acc[j] = 0 }
        let n = count
        if metric == .maximum {
            for c in 0..<dimension {
                let column = cols + c * n + from
                let qc = q[c]
                for j in 0..<len {
                    let v = Swift.abs(column[j] - qc)
                    acc[j] = v > acc[j] ? v : acc[j]
                }
            }
        } else {
            for c in 0..<dimension {
                let column = cols + c * n + from
                let qc = q[c]
                for j in 0..<len {
                    let v = column[j] - qc
                    acc[j] += v * v
                }
            }
        }
    }

    /// k nearest neighbours of every point (self excluded): reduced distances ascending
    /// and indices, N × k row-major.
    func kNearestOfAll(k: Int, reducedOut: SharedBuffer<Double>, indexOut: SharedBuffer<Int>) {
        parallelChunks(count: count, minimumChunk: 16) { range in
            rowMajor.withUnsafeBufferPointer { rows in
            columnMajor.withUnsafeBufferPointer { cols in
                let acc = UnsafeMutablePointer<Double>.allocate(capacity: BruteForceSearch.block)
                defer { acc.deallocate() }
                NearestList.with(k: k) { nearest in
                for i in range {
                    let q = rows.baseAddress! + i * dimension
                    nearest.reset()
                    var from = 0
                    while from < count {
                        let len = min(BruteForceSearch.block, count - from)
                        blockDistances(q, cols.baseAddress!, from, len, acc)
                        var worst = nearest.worst
                        for j in 0..<len where acc[j] < worst && from + j != i {
                            nearest.offer(acc[j], index: from + j)
                            worst = nearest.worst
                        }
                        from += len
                    }
                    nearest.write(row: i, reducedOut: reducedOut, indexOut: indexOut) { $0 }
                }
            }}}
        }
    }

    /// For every point i, the number of points j (i included) with reduced distance
    /// <= reducedThresholds[i].
    func countWithinOfAll(reducedThresholds: [Double], out: SharedBuffer<Int>) {
        parallelChunks(count: count, minimumChunk: 16) { range in
            rowMajor.withUnsafeBufferPointer { rows in
            columnMajor.withUnsafeBufferPointer { cols in
                let acc = UnsafeMutablePointer<Double>.allocate(capacity: BruteForceSearch.block)
                defer { acc.deallocate() }
                for i in range {
                    let q = rows.baseAddress! + i * dimension
                    let threshold = reducedThresholds[i]
                    var total = 0
                    var from = 0
                    while from < count {
                        let len = min(BruteForceSearch.block, count - from)
                        blockDistances(q, cols.baseAddress!, from, len, acc)
                        for j in 0..<len where acc[j] <= threshold { total += 1 }
                        from += len
                    }
                    out[i] = total
                }
            }}
        }
    }
}
