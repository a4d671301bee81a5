/// The k smallest reduced distances one query has seen so far, ascending, with the indices
/// of their points. A candidate displaces only a strictly larger distance, so among equal
/// distances the first one offered stays. Shared by every search structure; storage is a
/// pair of raw buffers (array copy-on-write checks in this loop cost ~10 % of a KSG call).
struct NearestList {
    let k: Int
    private let distances: UnsafeMutablePointer<Double>
    private let indices: UnsafeMutablePointer<Int>

    /// Runs `body` with an empty list of capacity k, valid only inside it.
    static func with<R>(k: Int, _ body: (inout NearestList) throws -> R) rethrows -> R {
        var list = NearestList(k: k, distances: .allocate(capacity: k), indices: .allocate(capacity: k))
        defer { list.distances.deallocate(); list.indices.deallocate() }
        list.reset()
        return try body(&list)
    }

    private init(k: Int, distances: UnsafeMutablePointer<Double>, indices: UnsafeMutablePointer<Int>) {
        (self.k, self.distances, self.indices) = (k, distances, indices)
    }

    /// The k-th distance so far (infinity until k points were offered).
    var worst: Double { distances[k - 1] }

    /// Empties the list for the next query.
    func reset() {
        distances.update(repeating: .infinity, count: k)
        indices.update(repeating: -1, count: k)
    }

    @inline(__always)
    func offer(_ distance: Double, index: Int) {
        guard distance < distances[k - 1] else { return }
        var i = k - 1
        while i > 0 && distances[i - 1] > distance {
            distances[i] = distances[i - 1]; indices[i] = indices[i - 1]; i -= 1
        }
        distances[i] = distance; indices[i] = index
    }

    /// Writes the list as row `row` of the N × k outputs, indices mapped to original rows.
    @inline(__always)
    func write(row: Int, reducedOut: SharedBuffer<Double>, indexOut: SharedBuffer<Int>, originalIndex: (Int) -> Int) {
        for i in 0..<k {
            reducedOut[row * k + i] = distances[i]
            indexOut[row * k + i] = indices[i] >= 0 ? originalIndex(indices[i]) : -1
        }
    }
}
