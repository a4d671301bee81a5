import Foundation

/// `client_stalled`: a run that was sending has gone silent for much longer than its own
/// cadence — the training loop hung, crashed without Goodbye, or lost its connection.
///
/// Every input of a run (snapshot activity, scalars, points) is activity at the time it is
/// given. Messages closer than `burst_seconds` to the previous one are one burst (the
/// layers and chunks of a frame); the gaps between bursts are the run's intervals. Once
/// `min_intervals` intervals were seen (the run "was sending"), the expected interval E is
/// the longest of the last `interval_history` intervals (so periodic slow steps, such as
/// validation passes, do not look like stalls; the silence that ended a stall is not counted). At `tick(now:)` the run is stalled when
/// now − last activity ≥ max(`factor` · E, `min_silence_seconds`): one alert, re-armed
/// by the run's next activity. A run that said Goodbye is forgotten.
public struct ClientStalledRule: AlertRule {
    public var kind: AlertKind { .clientStalled }
    let thresholds: ClientStalledThresholds

    private var runs: [String: RunActivity] = [:]
    /// Runs whose client said Goodbye (until new ingest activity): never stalled.
    private var closed: Set<String> = []

    struct RunActivity: Sendable {
        var last: Date
        var lastStep: Int64?
        var intervals: [Double] = []
        var stalled = false
    }

    public init(thresholds: ClientStalledThresholds = .init()) {
        self.thresholds = thresholds
    }

    public mutating func observe(_ input: AlertInput, at time: Date) -> [AlertRecord] {
        switch input {
        case .point(let p): if !closed.contains(p.run) { record(run: p.run, step: p.step, at: time) }
        case .scalars(let s): if !closed.contains(s.run) { record(run: s.run, step: s.step, at: time) }
        case .activity(let run, let step):
            closed.remove(run)
            record(run: run, step: step, at: time)
        case .sessionClosed(let run):
            closed.insert(run)
            runs[run] = nil
        case .runEnded(let run):
            closed.remove(run)
            runs[run] = nil
        }
        return []
    }

    private mutating func record(run: String, step: Int64?, at time: Date) {
        guard var activity = runs[run] else {
            runs[run] = RunActivity(last: time, lastStep: step)
            return
        }
        let gap = time.timeIntervalSince(activity.last)
        // The silence that ends a stall is not a cadence: counting it would make the next
        // stall take `factor` times that long to notice.
        if gap >= thresholds.burstSeconds, !activity.stalled {
            activity.intervals.append(gap)
            if activity.intervals.count > thresholds.intervalHistory {
                activity.intervals.removeFirst(activity.intervals.count - thresholds.intervalHistory)
            }
        }
        if time > activity.last { activity.last = time }
        if let step { activity.lastStep = max(activity.lastStep ?? step, step) }
        activity.stalled = false
        runs[run] = activity
    }

    public mutating func tick(now: Date) -> [AlertRecord] {
        var alerts: [AlertRecord] = []
        for run in runs.keys.sorted() {
            guard var activity = runs[run], !activity.stalled,
                  activity.intervals.count >= thresholds.minIntervals,
                  let expected = activity.intervals.max() else { continue }
            let limit = max(thresholds.factor * expected, thresholds.minSilenceSeconds)
            let silence = now.timeIntervalSince(activity.last)
            guard silence >= limit else { continue }
            activity.stalled = true
            runs[run] = activity
            let evidence = ClientStalledEvidence(
                rule: kind.rawValue, lastActivityUnixSeconds: activity.last.timeIntervalSince1970,
                silenceSeconds: silence, expectedIntervalSeconds: expected, factor: thresholds.factor,
                limitSeconds: limit, lastStep: activity.lastStep, recentIntervalsSeconds: activity.intervals)
            let stepText = activity.lastStep.map { " after step \($0)" } ?? ""
            let message = "Run \(run) has sent nothing for \(String(format: "%.0f", silence)) s\(stepText); it used to send at least "
                + "every \(String(format: "%.1f", expected)) s (limit \(String(format: "%.0f", limit)) s = max(\(AlertUnits.format(thresholds.factor))"
                + " x interval, \(String(format: "%.0f", thresholds.minSilenceSeconds)) s)): the training job may be hung or its client disconnected."
            alerts.append(AlertRecord(run: run, layer: "", kind: kind, severity: .warning, step: activity.lastStep ?? 0,
                                      message: message, evidenceJSON: AlertEvidence.json(evidence), time: now))
        }
        return alerts
    }
}

/// The evidence of a `client_stalled` alert (JSON keys in snake_case).
public struct ClientStalledEvidence: Sendable, Equatable, Codable {
    public var rule: String
    public var lastActivityUnixSeconds: Double
    public var silenceSeconds: Double
    public var expectedIntervalSeconds: Double
    public var factor: Double
    public var limitSeconds: Double
    public var lastStep: Int64?
    public var recentIntervalsSeconds: [Double]
}
