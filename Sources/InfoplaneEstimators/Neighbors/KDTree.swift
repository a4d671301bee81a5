/// A k-d tree over N points in d dimensions (median split on the widest side of each
/// node's bounding box, leaves of at most `leafSize` points). Queries are exact: pruning
/// compares bounding-box distances computed with the same rounding as point distances.
struct KDTree: Sendable {
    let dimension: Int
    let count: Int
    /// Points reordered so that every node owns a contiguous range (row-major).
    let points: [Double]
    /// Original row of each reordered point.
    let originalIndex: [Int]
    /// Per node: range of reordered points, children (−1 for leaves).
    let start: [Int], end: [Int], left: [Int], right: [Int]
    /// Per node bounding box, node × d.
    let lower: [Double], upper: [Double]
    /// start, end, left, right per node, flat (node × 4), for pointer access in queries.
    let nodeTable: [Int]
    let metric: DistanceMetric

    static let leafSize = 16

    init(points matrix: Matrix, metric: DistanceMetric) {
        let n = matrix.rows, d = matrix.columns
        self.dimension = d
        self.count = n
        self.metric = metric
        var order = Array(0..<n)
        var start: [Int] = [], end: [Int] = [], left: [Int] = [], right: [Int] = []
        var lower: [Double] = [], upper: [Double] = []
        let data = matrix.storage

        // Iterative build: (node id, range) work list.
        func makeNode(_ lo: Int, _ hi: Int) -> Int {
            let id = start.count
            start.append(lo); end.append(hi); left.append(-1); right.append(-1)
            var boxLo = [Double](repeating: .infinity, count: d)
            var boxHi = [Double](repeating: -.infinity, count: d)
            for p in lo..<hi {
                let base = order[p] * d
                for j in 0..<d {
                    let v = data[base + j]
                    if v < boxLo[j] { boxLo[j] = v }
                    if v > boxHi[j] { boxHi[j] = v }
                }
            }
            lower.append(contentsOf: boxLo); upper.append(contentsOf: boxHi)
            return id
        }
        var work: [Int] = [makeNode(0, n)]
        while let node = work.popLast() {
            let lo = start[node], hi = end[node]
            guard hi - lo > KDTree.leafSize else { continue }
            var axis = 0
            var widest = -1.0
            for j in 0..<d {
                let w = upper[node * d + j] - lower[node * d + j]
                if w > widest { widest = w; axis = j }
            }
            guard widest > 0 else { continue }  // all points identical: keep as a leaf
            let mid = (lo + hi) / 2
            KDTree.select(&order, lo, hi, mid) { data[$0 * d + axis] }
            let l = makeNode(lo, mid)
            let r = makeNode(mid, hi)
            left[node] = l; right[node] = r
            work.append(l); work.append(r)
        }
        var reordered = [Double](repeating: 0, count: n * d)
        for (p, original) in order.enumerated() {
            for j in 0..<d { reordered[p * d + j] = data[original * d + j] }
        }
        self.points = reordered
        self.originalIndex = order
        self.start = start; self.end = end; self.left = left; self.right = right
        self.lower = lower; self.upper = upper
        var table = [Int](repeating: 0, count: start.count * 4)
        for node in start.indices {
            table[node * 4] = start[node]; table[node * 4 + 1] = end[node]
            table[node * 4 + 2] = left[node]; table[node * 4 + 3] = right[node]
        }
        self.nodeTable = table
    }

    /// Quickselect: puts the element of rank `k` (by `key`) at position k of order[lo..<hi].
    private static func select(_ order: inout [Int], _ lo: Int, _ hi: Int, _ k: Int, key: (Int) -> Double) {
        var lo = lo, hi = hi - 1
        while lo < hi {
            let pivot = key(order[(lo + hi) / 2])
            var i = lo, j = hi
            while i <= j {
                while key(order[i]) < pivot { i += 1 }
                while key(order[j]) > pivot { j -= 1 }
                if i <= j { order.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return }
        }
    }

    @inline(__always)
    private func boxMinReduced(_ node: Int, _ q: UnsafePointer<Double>, _ lo: UnsafePointer<Double>, _ hi: UnsafePointer<Double>) -> Double {
        let d = dimension
        var acc = 0.0
        let base = node * d
        if metric == .maximum {
            for j in 0..<d {
                let below = lo[base + j] - q[j], above = q[j] - hi[base + j]
                let gap = below > above ? below : above
                if gap > acc { acc = gap }
            }
        } else {
            for j in 0..<d {
                let below = lo[base + j] - q[j], above = q[j] - hi[base + j]
                var gap = below > above ? below : above
                if gap < 0 { gap = 0 }
                acc += gap * gap
            }
        }
        return acc
    }

    /// Nearest and farthest reduced distances from q to the node's box, in one pass.
    @inline(__always)
    private func boxRangeReduced(_ node: Int, _ q: UnsafePointer<Double>, _ lo: UnsafePointer<Double>, _ hi: UnsafePointer<Double>) -> (Double, Double) {
        let d = dimension
        let base = node * d
        var near = 0.0, far = 0.0
        if metric == .maximum {
            for j in 0..<d {
                let below = lo[base + j] - q[j], above = q[j] - hi[base + j]
                let gap = below > above ? below : above
                if gap > near { near = gap }
                let a = Swift.abs(q[j] - lo[base + j]), b = Swift.abs(hi[base + j] - q[j])
                let f = a > b ? a : b
                if f > far { far = f }
            }
        } else {
            for j in 0..<d {
                let below = lo[base + j] - q[j], above = q[j] - hi[base + j]
                var gap = below > above ? below : above
                if gap < 0 { gap = 0 }
                near += gap * gap
                let a = Swift.abs(q[j] - lo[base + j]), b = Swift.abs(hi[base + j] - q[j])
                let f = a > b ? a : b
                far += f * f
            }
        }
        return (near, far)
    }

    @inline(__always)
    private func pointReduced(_ p: Int, _ q: UnsafePointer<Double>, _ pts: UnsafePointer<Double>) -> Double {
        let d = dimension
        let base = p * d
        var acc = 0.0
        if metric == .maximum {
            for j in 0..<d {
                let v = Swift.abs(pts[base + j] - q[j])
                if v > acc { acc = v }
            }
        } else {
            for j in 0..<d {
                let v = pts[base + j] - q[j]
                acc += v * v
            }
        }
        return acc
    }

    /// The k nearest neighbours of every indexed point (itself excluded), as reduced
    /// distances sorted ascending and original row indices, both N × k row-major.
    func kNearestOfAll(k: Int, reducedOut: SharedBuffer<Double>, indexOut: SharedBuffer<Int>) {
        parallelChunks(count: count, minimumChunk: 32) { range in
            points.withUnsafeBufferPointer { pts in
            lower.withUnsafeBufferPointer { lo in
            upper.withUnsafeBufferPointer { hi in
            nodeTable.withUnsafeBufferPointer { nodes in
                NearestList.with(k: k) { nearest in
                var stack: [(Int, Double)] = []
                stack.reserveCapacity(64)
                for p in range {
                    let q = pts.baseAddress! + p * dimension
                    nearest.reset()
                    stack.removeAll(keepingCapacity: true)
                    stack.append((0, 0))
                    while let (node, boxDist) = stack.popLast() {
                        if boxDist > nearest.worst { continue }
                        if nodes[node * 4 + 2] < 0 {
                            for other in nodes[node * 4]..<nodes[node * 4 + 1] where other != p {
                                nearest.offer(pointReduced(other, q, pts.baseAddress!), index: other)
                            }
                        } else {
                            let l = nodes[node * 4 + 2], r = nodes[node * 4 + 3]
                            let dl = boxMinReduced(l, q, lo.baseAddress!, hi.baseAddress!)
                            let dr = boxMinReduced(r, q, lo.baseAddress!, hi.baseAddress!)
                            // Push the farther child first so the nearer is explored first.
                            if dl <= dr { stack.append((r, dr)); stack.append((l, dl)) }
                            else { stack.append((l, dl)); stack.append((r, dr)) }
                        }
                    }
                    nearest.write(row: originalIndex[p], reducedOut: reducedOut, indexOut: indexOut) { originalIndex[$0] }
                }
            }}}}}
        }
    }

    /// For every indexed point i, the number of points j (i included) with
    /// reduced distance <= thresholds[i] (thresholds indexed by original row).
    func countWithinOfAll(reducedThresholds: [Double], out: SharedBuffer<Int>) {
        parallelChunks(count: count, minimumChunk: 32) { range in
            points.withUnsafeBufferPointer { pts in
            lower.withUnsafeBufferPointer { lo in
            upper.withUnsafeBufferPointer { hi in
            nodeTable.withUnsafeBufferPointer { nodes in
                var stack: [Int] = []
                stack.reserveCapacity(64)
                for p in range {
                    let q = pts.baseAddress! + p * dimension
                    let row = originalIndex[p]
                    let threshold = reducedThresholds[row]
                    var total = 0
                    if threshold >= 0 {
                        stack.removeAll(keepingCapacity: true)
                        stack.append(0)
                        while let node = stack.popLast() {
                            let (near, far) = boxRangeReduced(node, q, lo.baseAddress!, hi.baseAddress!)
                            if near > threshold { continue }
                            if far <= threshold {
                                total += nodes[node * 4 + 1] - nodes[node * 4]
                                continue
                            }
                            if nodes[node * 4 + 2] < 0 {
                                for other in nodes[node * 4]..<nodes[node * 4 + 1]
                                where pointReduced(other, q, pts.baseAddress!) <= threshold {
                                    total += 1
                                }
                            } else {
                                stack.append(nodes[node * 4 + 2]); stack.append(nodes[node * 4 + 3])
                            }
                        }
                    }
                    out[row] = total
                }
            }}}}
        }
    }
}
