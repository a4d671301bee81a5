/// Confirmation and hysteresis for one series: fires once when its condition has held for
/// `confirm` consecutive evaluations, then stays quiet until a separate, looser "cleared"
/// condition has held for `rearm` consecutive evaluations (one alert per episode).
struct EpisodeLatch: Sendable, Equatable {
    enum State: Sendable, Equatable { case armed, fired }

    private(set) var state: State = .armed
    private var run = 0

    /// Feeds one evaluation. Returns `.fire` on the evaluation that confirms an episode and
    /// `.rearmed` on the one that ends it.
    mutating func update(condition: Bool, cleared: Bool, confirm: Int, rearm: Int) -> Transition {
        switch state {
        case .armed:
            run = condition ? run + 1 : 0
            if run >= max(1, confirm) {
                state = .fired
                run = 0
                return .fire
            }
        case .fired:
            run = cleared ? run + 1 : 0
            if run >= max(1, rearm) {
                state = .armed
                run = 0
                return .rearmed
            }
        }
        return .none
    }

    enum Transition: Sendable, Equatable { case none, fire, rearmed }
}

/// One alert per episode per layer: several series (estimators, splits) can see the same
/// phenomenon in one layer; the first to fire owns the layer's episode and the others are
/// silent until the owner re-arms.
struct LayerEpisodes: Sendable {
    private var owners: [LayerKey: SeriesKey] = [:]

    struct LayerKey: Hashable, Sendable {
        var run: String
        var layer: String
    }

    /// True when `series` may alert for its layer now (and takes ownership).
    mutating func claim(_ series: SeriesKey) -> Bool {
        let key = LayerKey(run: series.run, layer: series.layer)
        if let owner = owners[key], owner != series { return false }
        owners[key] = series
        return true
    }

    mutating func release(_ series: SeriesKey) {
        let key = LayerKey(run: series.run, layer: series.layer)
        if owners[key] == series { owners[key] = nil }
    }

    mutating func forget(run: String) {
        owners = owners.filter { $0.key.run != run }
    }
}

/// The identity of a series within the alert engine.
public struct SeriesKey: Hashable, Sendable, Codable {
    public var run: String
    public var layer: String
    public var split: ProbeSplit
    public var metric: String
    public var estimator: String

    public init(run: String, layer: String, split: ProbeSplit, metric: String, estimator: String) {
        self.run = run
        self.layer = layer
        self.split = split
        self.metric = metric
        self.estimator = estimator
    }

    public init(_ point: SeriesPoint) {
        self.init(run: point.run, layer: point.layer, split: point.split, metric: point.metric, estimator: point.estimator)
    }

    /// "L5 (probe, binning)".
    var label: String { "\(layer) (\(split.rawValue), \(estimator))" }
}
