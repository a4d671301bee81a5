import InfoplaneEstimators

/// Seeded subsets of a frame's rows, so an estimator with a sample budget sees the same
/// rows (by position in the frame's ascending sample ids) frame after frame.
enum SampleSubset {
    /// `limit` row indices out of `rows`, ascending; nil when no subset is needed
    /// (`limit` 0 or ≥ `rows`).
    static func indices(rows: Int, limit: Int, seed: UInt64) -> [Int]? {
        guard limit > 0, limit < rows else { return nil }
        var generator = SeededGenerator(seed: seed)
        return generator.sample(from: rows, count: limit).sorted()
    }

    /// The rows of `m` at `indices`, or `m` when nil.
    static func select(_ m: Matrix, _ indices: [Int]?) -> Matrix {
        indices.map { m.selectingRows($0) } ?? m
    }

    static func select<T>(_ values: [T], _ indices: [Int]?) -> [T] {
        indices.map { $0.map { values[$0] } } ?? values
    }
}
