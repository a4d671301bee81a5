import Foundation

/// Runs every enabled alert rule over the monitor's outputs and returns the alerts they
/// confirm. A value type without I/O or clock: the caller passes the time of each input
/// and calls `tick(now:)` periodically (the daemon: every second) for time-based rules.
/// The caller stores, logs and publishes what it returns.
///
/// Inputs are filtered once here: non-finite values are dropped, and so are points of
/// incomplete frames unless `ignore_partial_frames` is false. Within one batch of points,
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
        guard point.value.isFinite, !(point.partial && thresholds.ignorePartialFrames) else {
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

    /// The run said Goodbye: no more alerts about it, and its state is dropped.
    public mutating func runEnded(_ run: String, at time: Date) {
        _ = feed(.runEnded(run: run), at: time)
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

    private static func feedOrder(_ metric: String) -> Int {
        switch metric {
        case SeriesMetric.labelInformation: return 0
        case SeriesMetric.inputInformation: return 2
        default: return 1
        }
    }
}
