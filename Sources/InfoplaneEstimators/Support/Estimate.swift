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
    /// The value sits at the estimator's ceiling and says nothing about the data beyond that:
    /// binning with every sample in a bin pattern of its own (`BinningAccumulator`).
    public var saturated: Bool
    /// The value estimates a lower bound of the quantity asked for: a mutual information
    /// estimated on a lossy view of the data (fewer dimensions), which by the data
    /// processing inequality cannot exceed the mutual information of the data itself.
    public var lowerBound: Bool
    /// Too few samples for the dimension: see `NearestNeighborSampleRule` (kNN estimators).
    public var fewSamples: Bool

    public init(value: Double, units: InformationUnit, n: Int, d: Int, saturated: Bool = false,
                lowerBound: Bool = false, fewSamples: Bool = false) {
        self.value = value
        self.units = units
        self.n = n
        self.d = d
        self.saturated = saturated
        self.lowerBound = lowerBound
        self.fewSamples = fewSamples
    }

    /// The same estimate expressed in `target` units.
    public func converted(to target: InformationUnit) -> Estimate {
        Estimate(value: units.convert(value, to: target), units: target, n: n, d: d, saturated: saturated,
                 lowerBound: lowerBound, fewSamples: fewSamples)
    }
}
