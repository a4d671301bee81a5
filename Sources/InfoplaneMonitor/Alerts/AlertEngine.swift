import Foundation

/// Runs every enabled alert rule over the monitor's outputs and returns the alerts they
/// confirm. A value type without I/O or clock: the caller passes the time of each input
/// and calls `tick(now:)` periodically (the daemon: every second) for time-based rules.
/// The caller stores, logs and publishes what it returns.
///
/// Inputs are filtered once here: non-finite values are dropped, so are saturated and
/// few-sample points (`SeriesPointFlags.untrustworthy`: they say nothing about the layer),
/// and so are points of incomplete frames unless `ignore_partial_frames` is false. Within one batch of points,
/// I(T;Y) points are fed before the others so a frame's I(X;T) sees its own I(T;Y).
///
/// After a restart, feeding the stored history (and discarding what comes out) restores
/// the rules' state without repeating stored alerts.
public struct AlertEngine: Sendable {
    public let thresholds: AlertThresholds
    private var rules: [any AlertRule]

    public init(thresholds: AlertThresholds = AlertThresholds()) {
        self.thresholds = thresholds
        var rules: [any AlertRule] = []
        let w = thresholds.smoothingWindow, h = thresholds.historyLimit
        if thresholds.compressionOnset.enabled {
            rules.append(CompressionOnsetRule(thresholds: thresholds.compressionOnset, smoothingWindow: w, historyLimit: h))
        }
        if thresholds.overfitting.enabled {
            rules.append(OverfittingRule(thresholds: thresholds.overfitting, smoothingWindow: w, historyLimit: h))
        }
        if thresholds.representationCollapse.enabled {
            rules.append(RepresentationCollapseRule(thresholds: thresholds.representationCollapse, smoothingWindow: w, historyLimit: h))
        }
        if thresholds.clientStalled.enabled {
            rules.append(ClientStalledRule(thresholds: thresholds.clientStalled))
        }
        self.rules = rules
    }

    /// The kinds of the enabled rules.
    public var enabledKinds: [AlertKind] { rules.map(\.kind) }

    /// Feeds the points of one estimated frame (or any batch).
    public mutating func observe(_ points: [SeriesPoint], at time: Date) -> [AlertRecord] {
        let ordered = points.enumerated().sorted { a, b in
            let pa = Self.feedOrder(a.element.metric), pb = Self.feedOrder(b.element.metric)
            return pa != pb ? pa < pb : a.offset < b.offset
        }
        var alerts: [AlertRecord] = []
        for (_, point) in ordered { alerts += observe(point, at: time) }
        return alerts
    }

    public mutating func observe(_ point: SeriesPoint, at time: Date) -> [AlertRecord] {
        guard point.value.isFinite, point.flags.isDisjoint(with: .untrustworthy),
              !(point.isPartial && thresholds.ignorePartialFrames) else {
            return feed(.activity(run: point.run, step: point.step), at: time)
        }
        return feed(.point(point), at: time)
    }

    public mutating func observe(_ scalars: ScalarRecord, at time: Date) -> [AlertRecord] {
        feed(.scalars(scalars), at: time)
    }

    /// The run sent data (a snapshot or a chunk of one). Do not report heartbeats: a hung
    /// training loop may still heartbeat from its client's sender thread.
    public mutating func recordActivity(run: String, step: Int64? = nil, at time: Date) {
        _ = feed(.activity(run: run, step: step), at: time)
    }

    /// The run's client said Goodbye: it cannot be stalled any more. Its series rules keep
    /// their state until `runEnded` (the pipeline calls it once the run's frames are stored).
    public mutating func sessionClosed(_ run: String, at time: Date) {
        _ = feed(.sessionClosed(run: run), at: time)
    }

    /// The run is over and its last frames are stored: its state is dropped.
    public mutating func runEnded(_ run: String, at time: Date) {
        _ = feed(.runEnded(run: run), at: time)
    }

    /// Rebuilds the rules' state for one run from its stored history (after a daemon restart,
    /// or when a run that said Goodbye comes back under the same name): feeds the scalars and
    /// points step by step, in the order the live pipeline does (a step's scalars, then its
    /// frame, I(T;Y) first), all at `time`, and discards the alerts this confirms — they were
    /// raised, stored and delivered the first time. An episode whose alert was raised stays
    /// latched, so the rest of it raises nothing new. Returns the number of inputs replayed.
    @discardableResult
    public mutating func restore(points: [SeriesPoint], scalars: [ScalarRecord], at time: Date) -> Int {
        let pointsByStep = Dictionary(grouping: points, by: \.step)
        let scalarsByStep = Dictionary(grouping: scalars, by: \.step)
        var replayed = 0
        for step in Set(pointsByStep.keys).union(scalarsByStep.keys).sorted() {
            for record in scalarsByStep[step] ?? [] {
                _ = observe(record, at: time)
                replayed += 1
            }
            if let batch = pointsByStep[step] {
                _ = observe(batch, at: time)
                replayed += batch.count
            }
        }
        return replayed
    }

    /// Time-based rules (client_stalled) look at `now`.
    public mutating func tick(now: Date) -> [AlertRecord] {
        var alerts: [AlertRecord] = []
        for i in rules.indices { alerts += rules[i].tick(now: now) }
        return alerts
    }

    private mutating func feed(_ input: AlertInput, at time: Date) -> [AlertRecord] {
        var alerts: [AlertRecord] = []
        for i in rules.indices { alerts += rules[i].observe(input, at: time) }
        return alerts
    }

    private static func feedOrder(_ metric: Metric) -> Int {
        switch metric {
        case .labelInformation: return 0
        case .inputInformation: return 2
        default: return 1
        }
    }
}
