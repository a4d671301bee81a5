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
        let armed = state == .armed
        run = (armed ? condition : cleared) ? run + 1 : 0
        guard run >= max(1, armed ? confirm : rearm) else { return .none }
        state = armed ? .fired : .armed
        run = 0
        return armed ? .fire : .rearmed
    }

    enum Transition: Sendable, Equatable { case none, fire, rearmed }
}

/// One alert per episode per layer: several series (estimators, splits) can see the same
/// phenomenon in one layer; the first to fire owns the layer's episode and the others are
/// silent until the owner re-arms.
struct LayerEpisodes: Sendable {
    private var owners: [LayerKey: SeriesID] = [:]

    /// True when `series` may alert for its layer now (and takes ownership).
    mutating func claim(_ series: SeriesID) -> Bool {
        let key = series.layerKey
        if let owner = owners[key], owner != series { return false }
        owners[key] = series
        return true
    }

    mutating func release(_ series: SeriesID) {
        let key = series.layerKey
        if owners[key] == series { owners[key] = nil }
    }

    mutating func forget(run: String) {
        owners = owners.filter { $0.key.run != run }
    }
}
