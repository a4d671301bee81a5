/// How the kNN estimators (KSG, Kozachenko–Leonenko, mixed) look for neighbours: k, the
/// norm, how each variable is preprocessed, and the search strategy.
public struct NeighborSearch: Sendable, Equatable {
    public var k: Int
    /// The norm; KSG always uses the max-norm, as its derivation requires.
    public var metric: DistanceMetric
    public var standardization: Standardization
    public var tieBreaking: TieBreaking
    public var strategy: SearchStrategy

    public init(k: Int = 3, metric: DistanceMetric = .maximum, standardization: Standardization = .none,
                tieBreaking: TieBreaking = .scikitLearn, strategy: SearchStrategy = .automatic) {
        self.k = k
        self.metric = metric
        self.standardization = standardization
        self.tieBreaking = tieBreaking
        self.strategy = strategy
    }

    /// Throws unless k ≥ 1.
    func validateK() throws(EstimatorError) {
        guard k >= 1 else { throw .invalidParameter("k must be at least 1, got \(k)") }
    }

    /// `x` standardized, then jittered with the tie-breaking stream `stream` (one per variable).
    func prepare(_ x: Matrix, name: String, stream: UInt64) throws(EstimatorError) -> Matrix {
        tieBreaking.apply(to: try standardization.apply(to: x, name: name), stream: stream)
    }
}

/// A kNN estimator set up by its `NeighborSearch` (Kozachenko–Leonenko, mixed). Its
/// initializers take the search's fields; the tie-breaking default is the estimator's own.
public protocol NeighborEstimator: Sendable {
    /// Tie-breaking when the caller does not choose one.
    static var defaultTieBreaking: TieBreaking { get }
    init(search: NeighborSearch)
}

extension NeighborEstimator {
    public init(k: Int = 3, metric: DistanceMetric = .maximum, standardization: Standardization = .none,
                tieBreaking: TieBreaking, strategy: SearchStrategy = .automatic) {
        self.init(search: NeighborSearch(k: k, metric: metric, standardization: standardization,
                                         tieBreaking: tieBreaking, strategy: strategy))
    }

    public init(k: Int = 3, metric: DistanceMetric = .maximum, standardization: Standardization = .none,
                strategy: SearchStrategy = .automatic) {
        self.init(k: k, metric: metric, standardization: standardization, tieBreaking: Self.defaultTieBreaking,
                  strategy: strategy)
    }
}
