/// A dense row-major matrix of `Double`: `rows` samples × `columns` features, stored
/// contiguously (`storage[r * columns + c]`). The value type every estimator takes.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public private(set) var storage: [Double]

    /// Wraps `storage` (row-major). Throws when the element count is not `rows * columns`.
    public init(rows: Int, columns: Int, storage: [Double]) throws(EstimatorError) {
        guard rows >= 0, columns >= 0, storage.count == rows * columns else {
            throw .shapeMismatch("storage holds \(storage.count) values, expected \(rows) × \(columns)")
        }
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// Builds a matrix from nested rows; every row must have the same length.
    public init(_ nested: [[Double]]) throws(EstimatorError) {
        let columns = nested.first?.count ?? 0
        var storage: [Double] = []
        storage.reserveCapacity(nested.count * columns)
        for (index, row) in nested.enumerated() {
            guard row.count == columns else {
                throw .shapeMismatch("row \(index) has \(row.count) values, row 0 has \(columns)")
            }
            storage.append(contentsOf: row)
        }
        self.rows = nested.count
        self.columns = columns
        self.storage = storage
    }

    /// A one-column matrix from a vector.
    public init(column: [Double]) {
        self.rows = column.count
        self.columns = 1
        self.storage = column
    }

    /// An all-zero matrix.
    public init(zeros rows: Int, _ columns: Int) {
        self.rows = rows
        self.columns = columns
        self.storage = [Double](repeating: 0, count: rows * columns)
    }

    init(uncheckedRows rows: Int, columns: Int, storage: [Double]) {
        precondition(storage.count == rows * columns)
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    public subscript(row: Int, column: Int) -> Double {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// The values of one row.
    public func row(_ index: Int) -> ArraySlice<Double> {
        storage[(index * columns)..<((index + 1) * columns)]
    }

    /// The values of one column.
    public func column(_ index: Int) -> [Double] {
        (0..<rows).map { storage[$0 * columns + index] }
    }

    /// The rows at `indices`, in that order.
    public func selectingRows(_ indices: some Sequence<Int>) -> Matrix {
        var out: [Double] = []
        for index in indices { out.append(contentsOf: row(index)) }
        let count = columns == 0 ? 0 : out.count / columns
        return Matrix(uncheckedRows: count, columns: columns, storage: out)
    }

    /// The columns at `indices`, in that order.
    public func selectingColumns(_ indices: [Int]) -> Matrix {
        var out = [Double](repeating: 0, count: rows * indices.count)
        for r in 0..<rows {
            for (j, c) in indices.enumerated() { out[r * indices.count + j] = storage[r * columns + c] }
        }
        return Matrix(uncheckedRows: rows, columns: indices.count, storage: out)
    }

    /// `[self | other]`: the columns of `other` appended to each row.
    public func appendingColumns(of other: Matrix) throws(EstimatorError) -> Matrix {
        guard other.rows == rows else { throw .mismatchedRows(rows, other.rows) }
        let width = columns + other.columns
        var out = [Double](repeating: 0, count: rows * width)
        for r in 0..<rows {
            for c in 0..<columns { out[r * width + c] = storage[r * columns + c] }
            for c in 0..<other.columns { out[r * width + columns + c] = other.storage[r * other.columns + c] }
        }
        return Matrix(uncheckedRows: rows, columns: width, storage: out)
    }

    /// Throws `.empty` for no rows or no columns and `.nonFinite` at the first NaN or ±Inf.
    public func validate(name: String = "input") throws(EstimatorError) {
        guard rows > 0, columns > 0 else { throw .empty(name) }
        for (i, v) in storage.enumerated() where !v.isFinite {
            throw .nonFinite(name: name, row: i / columns, column: i % columns, value: v)
        }
    }

    /// Per-column mean.
    public func columnMeans() -> [Double] {
        var mean = [Double](repeating: 0, count: columns)
        for r in 0..<rows { for c in 0..<columns { mean[c] += storage[r * columns + c] } }
        return mean.map { $0 / Double(max(rows, 1)) }
    }

    /// Per-column standard deviation with `ddof` degrees of freedom removed (two-pass).
    public func columnStandardDeviations(ddof: Int = 0) -> [Double] {
        let mean = columnMeans()
        var ss = [Double](repeating: 0, count: columns)
        for r in 0..<rows {
            for c in 0..<columns {
                let d = storage[r * columns + c] - mean[c]
                ss[c] += d * d
            }
        }
        return ss.map { ($0 / Double(max(rows - ddof, 1))).squareRoot() }
    }

    /// Returns the matrix with each element transformed.
    public func map(_ transform: (Double) -> Double) -> Matrix {
        Matrix(uncheckedRows: rows, columns: columns, storage: storage.map(transform))
    }
}
