/// One estimated information quantity with the shape of the data it came from, so a
/// point estimated on too few samples for its dimension can be flagged.
public struct Estimate: Sendable, Equatable, Codable {
    /// The estimate in `units`.
    public var value: Double
    public var units: InformationUnit
    /// Number of samples used.
    public var n: Int
    /// Dimension of the (joint) space the estimator worked in.
    public var d: Int

    public init(value: Double, units: InformationUnit, n: Int, d: Int) {
        self.value = value
        self.units = units
        self.n = n
        self.d = d
    }

    /// The same estimate expressed in `target` units.
    public func converted(to target: InformationUnit) -> Estimate {
        Estimate(value: units.convert(value, to: target), units: target, n: n, d: d)
    }
}
