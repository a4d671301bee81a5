/// An estimator and the quantity it estimates, as `infoplane estimate` and the reference
/// fixtures spell it: the estimator's name, suffixed with the quantity where the estimator
/// has both (`binning-entropy`, `binning-mi`) or its name alone would not say which
/// (`kl-entropy`, `gaussian-mi`). These spellings are canonical on the command line.
public struct EstimatorCommand: Sendable, Hashable, CustomStringConvertible {
    public let estimator: EstimatorName
    public let quantity: InformationQuantity
    /// The command-line spelling.
    public let name: String

    public var description: String { name }

    /// Every command, in the order the help lists them.
    public static let all: [EstimatorCommand] = [
        .init(estimator: .ksg1, quantity: .mutualInformation, name: "ksg1"),
        .init(estimator: .ksg2, quantity: .mutualInformation, name: "ksg2"),
        .init(estimator: .kozachenkoLeonenko, quantity: .entropy, name: "kl-entropy"),
        .init(estimator: .mixed, quantity: .mutualInformation, name: "mixed"),
        .init(estimator: .binning, quantity: .mutualInformation, name: "binning-mi"),
        .init(estimator: .binning, quantity: .entropy, name: "binning-entropy"),
        .init(estimator: .dse, quantity: .entropy, name: "dse"),
        .init(estimator: .dsmi, quantity: .mutualInformation, name: "dsmi"),
        .init(estimator: .renyi, quantity: .entropy, name: "renyi-entropy"),
        .init(estimator: .renyi, quantity: .mutualInformation, name: "renyi-mi"),
        .init(estimator: .gaussian, quantity: .mutualInformation, name: "gaussian-mi"),
    ]

    /// What the estimator needs besides X.
    public enum SecondInput: Sendable { case none, y, labels, yOrLabels }

    public var secondInput: SecondInput {
        switch (estimator, quantity) {
        case (_, .entropy): return .none
        case (.mixed, _), (.binning, _): return .labels
        case (.dsmi, _): return .yOrLabels
        default: return .y
        }
    }

    /// Runs the estimator (see `EstimatorName.estimate`). `units` nil = the native units.
    public func estimate(x: Matrix, y: Matrix? = nil, labels: [Int]? = nil,
                         parameters: EstimatorParameters = EstimatorParameters(),
                         units: InformationUnit? = nil) throws(EstimatorError) -> Estimate {
        try estimator.estimate(quantity, x: x, y: y, labels: labels, parameters: parameters, units: units, label: name)
    }
}

extension EstimatorCommand {
    /// The command spelled `name`; nil when there is none.
    public init?(name: String) {
        guard let found = Self.all.first(where: { $0.name == name }) else { return nil }
        self = found
    }
}
