/// Exact nearest-neighbour queries of a point set against itself: the k nearest
/// neighbours of every point (itself excluded) and, for every point, the number of points
/// inside a ball of its own radius. Chooses a sorted line (d = 1), a grid of cells (d = 2),
/// a k-d tree (low d) or blocked brute force (high d); all return bit-identical distances.
/// Parallel over query points on all cores.
public struct NeighborIndex: Sendable {
    enum Backend: Sendable {
        case line(SortedLine)
        case grid(PlaneGrid)
        case tree(KDTree)
        case brute(BruteForceSearch)
    }

    public let metric: DistanceMetric
    public let count: Int
    public let dimension: Int
    let backend: Backend

    public init(points: Matrix, metric: DistanceMetric, strategy: SearchStrategy = .automatic) {
        self.metric = metric
        self.count = points.rows
        self.dimension = points.columns
        if points.columns == 1 && strategy == .automatic {
            backend = .line(SortedLine(values: points.storage, metric: metric))
        } else if points.columns == 2 && strategy == .automatic {
            backend = .grid(PlaneGrid(points: points, metric: metric))
        } else {
            switch strategy.resolved(n: points.rows, d: points.columns) {
            case .bruteForce: backend = .brute(BruteForceSearch(points: points, metric: metric))
            default: backend = .tree(KDTree(points: points, metric: metric))
            }
        }
    }

    /// Name of the structure in use ("sorted-line", "kd-tree", "brute-force").
    public var structure: String {
        switch backend {
        case .line: return "sorted-line"
        case .grid: return "plane-grid"
        case .tree: return "kd-tree"
        case .brute: return "brute-force"
        }
    }

    /// Distances (ascending) and row indices of the k nearest neighbours of every point,
    /// itself excluded, each N × k row-major. Requires k < N.
    public func kNearest(k: Int) -> (distances: [Double], indices: [Int]) {
        precondition(k >= 1 && k < count, "k must be in 1..<N")
        var reduced = [Double](repeating: 0, count: count * k)
        var indices = [Int](repeating: 0, count: count * k)
        reduced.withUnsafeMutableBufferPointer { r in
            indices.withUnsafeMutableBufferPointer { ix in
                let ro = SharedBuffer(pointer: r.baseAddress!), io = SharedBuffer(pointer: ix.baseAddress!)
                switch backend {
                case .line(let line): line.kNearestOfAll(k: k, reducedOut: ro, indexOut: io)
                case .grid(let grid): grid.kNearestOfAll(k: k, reducedOut: ro, indexOut: io)
                case .tree(let tree): tree.kNearestOfAll(k: k, reducedOut: ro, indexOut: io)
                case .brute(let brute): brute.kNearestOfAll(k: k, reducedOut: ro, indexOut: io)
                }
            }
        }
        if metric == .euclidean { for i in reduced.indices { reduced[i] = reduced[i].squareRoot() } }
        return (reduced, indices)
    }

    /// For every point i, #{j : dist(i, j) < radii[i]} when `strict`, or <= when not;
    /// the point itself is included whenever its zero distance qualifies.
    /// Strict counts follow scikit-learn exactly: a non-strict count at nextafter(r, 0),
    /// compared in reduced form (squared for Euclidean).
    public func countWithin(radii: [Double], strict: Bool) -> [Int] {
        precondition(radii.count == count)
        let thresholds = radii.map { r -> Double in
            let bound = strict ? r.nextDown : r
            if bound < 0 { return -1 }
            return metric.reduced(fromDistance: bound)
        }
        var counts = [Int](repeating: 0, count: count)
        counts.withUnsafeMutableBufferPointer { c in
            let out = SharedBuffer(pointer: c.baseAddress!)
            switch backend {
            case .line(let line): line.countWithinOfAll(reducedThresholds: thresholds, out: out)
            case .grid(let grid): grid.countWithinOfAll(reducedThresholds: thresholds, out: out)
            case .tree(let tree): tree.countWithinOfAll(reducedThresholds: thresholds, out: out)
            case .brute(let brute): brute.countWithinOfAll(reducedThresholds: thresholds, out: out)
            }
        }
        return counts
    }
}
