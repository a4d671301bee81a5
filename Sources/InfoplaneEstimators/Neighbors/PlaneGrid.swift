/// Exact neighbour search in two dimensions on a uniform grid of about two points per cell.
///
/// k nearest neighbours: the query's own cell, then rings of cells around it, until no point
/// outside the rings searched can be nearer than the k-th found (the distance from the query
/// to the edge of the searched block, minus a slack that covers the rounding of the cell
/// assignment). Range counts: every point of the cells overlapping the query's square.
/// Distances are the k-d tree's, bit for bit (the same sums in the same order); among points
/// at exactly the same distance the one kept may differ, as between any two search orders.
/// For KSG with a 2-D joint space this replaces the k-d tree: building it is one counting
/// sort, and a query touches a handful of cells that lie next to each other in memory.
struct PlaneGrid: Sendable {
    let count: Int
    let metric: DistanceMetric
    /// Cells per axis, and their geometry.
    let columns: Int, rows: Int
    let minX: Double, minY: Double
    let cellWidth: Double, cellHeight: Double
    let inverseWidth: Double, inverseHeight: Double
    /// No point is farther than this from where its cell says it is (rounding of the
    /// assignment); subtracted from every pruning bound.
    let slack: Double
    /// Points in cell order (x, y interleaved), each cell's range, each point's cell.
    let points: [Double]
    let cellStart: [Int]
    let cellX: [Int], cellY: [Int]
    let originalIndex: [Int]

    init(points matrix: Matrix, metric: DistanceMetric) {
        precondition(matrix.columns == 2)
        let n = matrix.rows
        let data = matrix.storage
        self.count = n
        self.metric = metric
        var lo = (Double.infinity, Double.infinity), hi = (-Double.infinity, -Double.infinity)
        for i in 0..<n {
            lo = (Swift.min(lo.0, data[2 * i]), Swift.min(lo.1, data[2 * i + 1]))
            hi = (Swift.max(hi.0, data[2 * i]), Swift.max(hi.1, data[2 * i + 1]))
        }
        let side = Swift.max(1, Int((Double(n) / 2).squareRoot()))
        let spanX = hi.0 - lo.0, spanY = hi.1 - lo.1
        columns = spanX > 0 ? side : 1
        rows = spanY > 0 ? side : 1
        minX = lo.0
        minY = lo.1
        cellWidth = spanX > 0 ? spanX / Double(columns) : 1
        cellHeight = spanY > 0 ? spanY / Double(rows) : 1
        inverseWidth = 1 / cellWidth
        inverseHeight = 1 / cellHeight
        let scale = Swift.max(Swift.abs(lo.0), Swift.abs(hi.0), Swift.abs(lo.1), Swift.abs(hi.1), spanX, spanY, 1)
        slack = scale * 1e-12

        var cellOf = [Int](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: columns * rows + 1)
        for i in 0..<n {
            let cx = Swift.min(columns - 1, Swift.max(0, Int((data[2 * i] - lo.0) * inverseWidth)))
            let cy = Swift.min(rows - 1, Swift.max(0, Int((data[2 * i + 1] - lo.1) * inverseHeight)))
            cellOf[i] = cy * columns + cx
            counts[cellOf[i] + 1] += 1
        }
        for c in 0..<(columns * rows) { counts[c + 1] += counts[c] }
        cellStart = counts
        var next = counts
        var sorted = [Double](repeating: 0, count: 2 * n)
        var order = [Int](repeating: 0, count: n)
        var cx = [Int](repeating: 0, count: n), cy = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let c = cellOf[i]
            let p = next[c]
            next[c] += 1
            sorted[2 * p] = data[2 * i]
            sorted[2 * p + 1] = data[2 * i + 1]
            order[p] = i
            cx[p] = c % columns
            cy[p] = c / columns
        }
        self.points = sorted
        self.originalIndex = order
        self.cellX = cx
        self.cellY = cy
    }

    /// The reduced distance between sorted points / a query, as the k-d tree sums it.
    @inline(__always)
    func reduced(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> Double {
        let dx = ax - bx, dy = ay - by
        switch metric {
        case .maximum: return Swift.max(Swift.abs(dx), Swift.abs(dy))
        case .euclidean: return dx * dx + dy * dy
        }
    }

    func kNearestOfAll(k: Int, reducedOut: SharedBuffer<Double>, indexOut: SharedBuffer<Int>) {
        parallelChunks(count: count, minimumChunk: 64) { range in
            points.withUnsafeBufferPointer { pts in
            cellStart.withUnsafeBufferPointer { starts in
                NearestList.with(k: k) { nearest in
                for p in range {
                    let qx = pts[2 * p], qy = pts[2 * p + 1]
                    let cx = cellX[p], cy = cellY[p]
                    nearest.reset()
                    var r = 0
                    while true {
                        // The cells at Chebyshev cell distance exactly r.
                        let x0 = cx - r, x1 = cx + r, y0 = cy - r, y1 = cy + r
                        for y in Swift.max(0, y0)...Swift.min(rows - 1, y1) {
                            // A full row of cells at the ring's top and bottom, its two ends
                            // in between.
                            let full = y == y0 || y == y1
                            for x in (full ? Swift.max(0, x0) : x0)...(full ? Swift.min(columns - 1, x1) : x1)
                            where x >= 0 && x < columns && (full || x == x0 || x == x1) {
                                let c = y * columns + x
                                for other in starts[c]..<starts[c + 1] where other != p {
                                    nearest.offer(reduced(pts[2 * other], pts[2 * other + 1], qx, qy), index: other)
                                }
                            }
                        }
                        // Nothing outside the searched block can be nearer than `bound`.
                        var bound = Double.infinity
                        if x0 > 0 { bound = Swift.min(bound, qx - (minX + Double(x0) * cellWidth)) }
                        if x1 < columns - 1 { bound = Swift.min(bound, (minX + Double(x1 + 1) * cellWidth) - qx) }
                        if y0 > 0 { bound = Swift.min(bound, qy - (minY + Double(y0) * cellHeight)) }
                        if y1 < rows - 1 { bound = Swift.min(bound, (minY + Double(y1 + 1) * cellHeight) - qy) }
                        if bound == .infinity { break }  // the whole grid is searched
                        bound -= slack
                        if bound > 0 && nearest.worst < metric.reduced(fromDistance: bound) { break }
                        r += 1
                    }
                    nearest.write(row: originalIndex[p], reducedOut: reducedOut, indexOut: indexOut) { originalIndex[$0] }
                }
            }}}
        }
    }

    /// For every point i, the number of points j (i included) with reduced distance
    /// <= thresholds[i] (indexed by original row).
    func countWithinOfAll(reducedThresholds: [Double], out: SharedBuffer<Int>) {
        parallelChunks(count: count, minimumChunk: 64) { range in
            points.withUnsafeBufferPointer { pts in
            cellStart.withUnsafeBufferPointer { starts in
                for p in range {
                    let row = originalIndex[p]
                    let t = reducedThresholds[row]
                    guard t >= 0 else { out[row] = 0; continue }
                    let qx = pts[2 * p], qy = pts[2 * p + 1]
                    let radius = metric.distance(fromReduced: t) + slack
                    // Cells overlapping the square of half-side `radius`, one more each side.
                    let x0 = Swift.max(0, Int(((qx - radius - minX) * inverseWidth).rounded(.down)) - 1)
                    let x1 = Swift.min(columns - 1, Int(((qx + radius - minX) * inverseWidth).rounded(.down)) + 1)
                    let y0 = Swift.max(0, Int(((qy - radius - minY) * inverseHeight).rounded(.down)) - 1)
                    let y1 = Swift.min(rows - 1, Int(((qy + radius - minY) * inverseHeight).rounded(.down)) + 1)
                    var n = 0
                    if x0 <= x1 && y0 <= y1 {
                        for y in y0...y1 {
                            for other in starts[y * columns + x0]..<starts[y * columns + x1 + 1]
                            where reduced(pts[2 * other], pts[2 * other + 1], qx, qy) <= t {
                                n += 1
                            }
                        }
                    }
                    out[row] = n
                }
            }}
        }
    }
}
