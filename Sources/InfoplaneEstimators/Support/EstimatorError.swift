/// Why an estimator refused its input. Every case says what to do about it.
public enum EstimatorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No rows or no columns.
    case empty(String)
    /// A NaN or ±Inf at (row, column).
    case nonFinite(name: String, row: Int, column: Int, value: Double)
    /// Too few samples for the requested neighbour count or method.
    case tooFewSamples(n: Int, required: Int, reason: String)
    /// Two inputs that must be paired row by row have different row counts.
    case mismatchedRows(Int, Int)
    /// A column with zero variance where the method divides by the spread.
    case zeroVariance(name: String, column: Int)
    /// Shape of a buffer does not match the declared shape.
    case shapeMismatch(String)
    /// A parameter outside its valid range.
    case invalidParameter(String)
    /// A LAPACK routine reported failure.
    case lapackFailure(routine: String, info: Int)
    /// Samples at distance zero where a logarithm of the distance is needed.
    case duplicateSamples(String)

    public var description: String {
        switch self {
        case .empty(let name):
            return "\(name) is empty: give at least one row and one column"
        case let .nonFinite(name, row, column, value):
            return "\(name) has \(value) at row \(row), column \(column): remove or impute non-finite values first"
        case let .tooFewSamples(n, required, reason):
            return "\(n) samples are too few (\(reason) needs at least \(required)): send more samples or lower k"
        case let .mismatchedRows(a, b):
            return "inputs have \(a) and \(b) rows: pair them sample by sample (same N)"
        case let .zeroVariance(name, column):
            return "\(name) column \(column) is constant: drop it or disable standardisation"
        case .shapeMismatch(let message):
            return "shape mismatch: \(message)"
        case .invalidParameter(let message):
            return "invalid parameter: \(message)"
        case let .lapackFailure(routine, info):
            return "LAPACK \(routine) failed with info = \(info): check the input for degenerate (collinear or constant) data"
        case .duplicateSamples(let message):
            return "duplicate samples: \(message); add tie-breaking jitter or remove duplicates"
        }
    }
}
