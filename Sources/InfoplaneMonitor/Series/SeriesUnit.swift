import InfoplaneEstimators

/// The unit of a series' values: an information unit for the information quantities, or
/// the unit of an auxiliary series. Spelled as a string (`name`) only at the edges: the
/// store's `units` column and the JSON outputs.
public enum SeriesUnit: StringNamed, Sendable, Hashable, CustomStringConvertible {
    case information(InformationUnit)
    /// A fraction in [0, 1] (explained variance).
    case fraction
    /// The units of the data an estimator saw (the kernel σ).
    case data

    public static let nats = SeriesUnit.information(.nats)
    public static let bits = SeriesUnit.information(.bits)

    /// The spelling at the edges: `nats`, `bits`, `fraction` or `data`.
    public var rawValue: String {
        switch self {
        case .information(let unit): return unit.rawValue
        case .fraction: return "fraction"
        case .data: return "data"
        }
    }

    /// The unit spelled `rawValue`; nil for an unknown spelling.
    public init?(rawValue: String) {
        if let unit = InformationUnit(rawValue: rawValue) {
            self = .information(unit)
        } else if rawValue == "fraction" {
            self = .fraction
        } else if rawValue == "data" {
            self = .data
        } else {
            return nil
        }
    }

    public var description: String { rawValue }

    /// The information unit, nil for an auxiliary series.
    public var information: InformationUnit? {
        if case .information(let unit) = self { return unit }
        return nil
    }

    /// `value`, given in `unit`, expressed in this unit (unchanged unless both are
    /// information units).
    public func express(_ value: Double, from unit: InformationUnit) -> Double {
        guard let target = information else { return value }
        return unit.convert(value, to: target)
    }
}
