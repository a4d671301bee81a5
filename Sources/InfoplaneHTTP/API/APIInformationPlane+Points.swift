import InfoplaneAPI
import InfoplaneMonitor

extension APIInformationPlane {
    /// Builds the plane from a run's I(X;T) and I(T;Y) points (any order).
    ///
    /// A point exists at every step where both coordinates were estimated, for one pairing
    /// of estimators (x: the I(X;T) estimator, y: the I(T;Y) estimator) and one split. The
    /// pairings are every combination present, the like-named pair first (binning/binning:
    /// the papers' figure), then the kNN pair (ksg1/mixed), then the rest.
    /// - Parameters:
    ///   - xEstimator, yEstimator: keep only this estimator for that axis (nil: all).
    init(run: String, points: [SeriesPoint], xEstimator: String? = nil, yEstimator: String? = nil) {
        var xs: [SeriesID: [Int64: SeriesPoint]] = [:]
        var ys: [SeriesID: [Int64: SeriesPoint]] = [:]
        var layerOrder: [String] = []
        var seenLayers: Set<String> = []
        for p in points {
            if p.metric == .inputInformation, xEstimator == nil || xEstimator == p.estimator.rawValue {
                xs[p.series, default: [:]][p.step] = p
            } else if p.metric == .labelInformation, yEstimator == nil || yEstimator == p.estimator.rawValue {
                ys[p.series, default: [:]][p.step] = p
            } else { continue }
            if seenLayers.insert(p.layer).inserted { layerOrder.append(p.layer) }
        }
        struct PairKey: Hashable { var split: ProbeSplit; var x: String; var y: String }
        var pairs: [PairKey: [String: [Point]]] = [:]
        var units: [PairKey: (String, String)] = [:]
        for (xKey, xSteps) in xs {
            for (yKey, ySteps) in ys where yKey.layer == xKey.layer && yKey.split == xKey.split {
                let pair = PairKey(split: xKey.split, x: xKey.estimator.rawValue, y: yKey.estimator.rawValue)
                let trajectory = xSteps.keys.filter { ySteps[$0] != nil }.sorted().map { step in
                    let x = xSteps[step]!, y = ySteps[step]!
                    let flags = x.flags.union(y.flags)
                    return Point(step: step, x: x.value, y: y.value, flags: flags.isEmpty ? nil : flags.names)
                }
                guard !trajectory.isEmpty else { continue }
                pairs[pair, default: [:]][xKey.layer] = trajectory
                units[pair] = (xSteps.values.first!.unit.rawValue, ySteps.values.first!.unit.rawValue)
            }
        }
        let pairings = pairs.keys.sorted { a, b in
            (Self.splitRank(a.split), Self.pairRank(a.x, a.y), a.x, a.y) < (Self.splitRank(b.split), Self.pairRank(b.x, b.y), b.x, b.y)
        }.map { key in
            let layers = layerOrder.compactMap { layer in pairs[key]![layer].map { Trajectory(layer: layer, points: $0) } }
            return Pairing(split: key.split.rawValue, xEstimator: key.x, yEstimator: key.y,
                           xUnits: units[key]!.0, yUnits: units[key]!.1, layers: layers)
        }
        self.init(run: run, xMetric: Metric.inputInformation.rawValue, yMetric: Metric.labelInformation.rawValue,
                  pairings: pairings)
    }

    /// Probe first (the fixed probe set is what the papers plot), then train, validation.
    static func splitRank(_ split: ProbeSplit) -> Int {
        switch split {
        case .probe: return 0
        case .train: return 1
        case .validation: return 2
        }
    }

    static func pairRank(_ x: String, _ y: String) -> Int {
        if x == y { return 0 }
        if x == "ksg1" && y == "mixed" { return 1 }
        return 2
    }
}
