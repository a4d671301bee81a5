/// The fitted projection of every (run, layer), and the running range of its values.
///
/// Policy: the first *complete* frame of a run fits each layer's basis, which is then kept
/// for every later frame of the run, whatever its split, so the series stay comparable. A
/// partial frame that comes before any complete one is compressed with a basis fitted on
/// itself that is not kept. `refit` forgets a basis so that the next complete frame fits
/// a new one.
struct CompressionRegistry: Sendable {
    private(set) var projections: [LayerKey: LayerProjection] = [:]
    private(set) var ranges: [LayerKey: ClosedRange<Double>] = [:]
    /// Layers whose basis a complete frame is fitting right now: other frames of the run wait
    /// for it rather than fit their own.
    private(set) var fitting: Set<LayerKey> = []

    init() {}

    func projection(for key: LayerKey) -> LayerProjection? { projections[key] }

    /// Marks `key` as being fitted.
    mutating func beginFit(_ key: LayerKey) { fitting.insert(key) }

    /// Keeps `projection` for `key` unless one is kept already; returns the kept one.
    @discardableResult
    mutating func adopt(_ projection: LayerProjection, for key: LayerKey) -> LayerProjection {
        fitting.remove(key)
        if let kept = projections[key] { return kept }
        projections[key] = projection
        return projection
    }

    /// Ends a fit that produced nothing (the preparation failed).
    mutating func abandonFit(_ key: LayerKey) { fitting.remove(key) }

    /// Forgets the bases of `run` (one layer, or all when nil).
    mutating func refit(run: String, layer: String? = nil) {
        for key in projections.keys where key.run == run && (layer == nil || key.layer == layer) {
            projections[key] = nil
        }
    }

    /// Widens the running range of `key` by `observed` and returns it.
    mutating func extendRange(_ key: LayerKey, by observed: ClosedRange<Double>) -> ClosedRange<Double> {
        let merged = ranges[key].map { min($0.lowerBound, observed.lowerBound)...max($0.upperBound, observed.upperBound) } ?? observed
        ranges[key] = merged
        return merged
    }

    /// Forgets everything about `run`.
    mutating func forget(run: String) {
        projections = projections.filter { $0.key.run != run }
        ranges = ranges.filter { $0.key.run != run }
    }
}
