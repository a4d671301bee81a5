import Foundation

/// `representation_collapse`: the diffusion spectral entropy of a layer drops sharply — its
/// representation loses effective rank (Liao, Liu et al. 2023 use DSE as the measure of a
/// representation's intrinsic dimension).
///
/// For every DSE(T) series (run, layer, split, estimator), on its trailing median S: let R
/// be the highest S among the last `window` evaluations and the current one. The condition
/// is R − S ≥ max(`relative_drop` · R, `absolute_floor_bits`), for `confirm_evaluations`
/// consecutive evaluations: a fall that large within `window` evaluations; slow declines
/// (ordinary training) never satisfy it. The episode ends once S has recovered half of the
/// drop (S ≥ trough + (R − trough) / 2) for `rearm_evaluations` evaluations. Series of one
/// layer share one episode.
public struct RepresentationCollapseRule: AlertRule {
    public var kind: AlertKind { .representationCollapse }
    let thresholds: RepresentationCollapseThresholds
    let history: SeriesHistory

    private var tracks: [SeriesID: Track] = [:]
    private var episodes = LayerEpisodes()

    struct Track: Sendable {
        var series: SmoothedSeries
        var latch = EpisodeLatch()
        var reference: (step: Int64, value: Double)?
        var trough: (step: Int64, value: Double)?
    }

    public init(thresholds: RepresentationCollapseThresholds = .init(), smoothingWindow: Int = 5, historyLimit: Int = 4096) {
        self.thresholds = thresholds
        history = SeriesHistory(smoothingWindow: smoothingWindow, limit: historyLimit)
    }

    public mutating func observe(_ input: AlertInput, at time: Date) -> [AlertRecord] {
        switch input {
        case .point(let point) where point.metric == Metric.diffusionSpectralEntropy:
            return observeEntropy(point, at: time)
        case .runEnded(let run):
            tracks = tracks.filter { $0.key.run != run }
            episodes.forget(run: run)
            return []
        default:
            return []
        }
    }

    private mutating func observeEntropy(_ point: SeriesPoint, at time: Date) -> [AlertRecord] {
        let key = point.series
        var track = tracks[key] ?? Track(series: history.series())
        defer { tracks[key] = track }
        guard track.series.append(step: point.step, value: point.value),
              track.series.appended >= history.smoothingWindow, let s = track.series.lastSmoothed else { return [] }
        let floor = AlertUnits.floor(bits: thresholds.absoluteFloorBits, in: point.unit)

        switch track.latch.state {
        case .armed:
            let count = track.series.smoothed.count
            let lookback = max(0, count - 1 - thresholds.window)
            var reference = (step: point.step, value: s)
            for i in lookback..<count where track.series.smoothed[i] > reference.value {
                reference = (track.series.steps[i], track.series.smoothed[i])
            }
            let drop = reference.value - s
            let noise = thresholds.noiseMultiplier * track.series.noiseScale()
            let threshold = max(thresholds.relativeDrop * reference.value, floor, noise)
            let condition = drop > 0 && drop >= threshold
            guard track.latch.update(condition: condition, cleared: false, confirm: thresholds.confirmEvaluations,
                                     rearm: thresholds.rearmEvaluations) == .fire else { return [] }
            track.reference = reference
            track.trough = (point.step, s)
            guard episodes.claim(key) else { return [] }
            let relative = reference.value != 0 ? drop / abs(reference.value) : 0
            let evidence = RepresentationCollapseEvidence(
                rule: kind.rawValue, series: key, units: point.unit.rawValue, referenceStep: reference.step,
                referenceValue: reference.value, step: point.step, value: s, drop: drop, relativeDrop: relative,
                thresholdRelativeDrop: thresholds.relativeDrop, thresholdAbsolute: floor, thresholdNoise: noise,
                threshold: threshold, window: thresholds.window,
                n: point.sampleCount, d: point.dimension, recent: track.series.recent(thresholds.window + history.smoothingWindow + 2))
            let u = point.unit
            let message = "DSE(T) of layer \(key.label) dropped from \(AlertUnits.format(reference.value)) \(u) at step "
                + "\(reference.step) to \(AlertUnits.format(s)) \(u) at step \(point.step) (-\(AlertUnits.percent(relative)) within "
                + "\(thresholds.window) evaluations; threshold \(AlertUnits.format(threshold)) \(u), the largest of "
                + "\(AlertUnits.percent(thresholds.relativeDrop)), \(AlertUnits.format(floor)) \(u) and "
                + "\(AlertUnits.format(thresholds.noiseMultiplier)) x noise): the layer's representation is collapsing to fewer effective dimensions."
            return [AlertRecord(run: key.run, layer: key.layer, kind: kind, severity: .critical, step: point.step,
                                message: message, evidenceJSON: AlertEvidence.json(evidence), time: time)]

        case .fired:
            if let trough = track.trough, s < trough.value { track.trough = (point.step, s) }
            let trough = track.trough?.value ?? s
            let reference = track.reference?.value ?? s
            let cleared = s >= trough + (reference - trough) / 2
            if track.latch.update(condition: false, cleared: cleared, confirm: thresholds.confirmEvaluations,
                                  rearm: thresholds.rearmEvaluations) == .rearmed {
                episodes.release(key)
                track.reference = nil
                track.trough = nil
            }
            return []
        }
    }
}

/// The evidence of a `representation_collapse` alert (JSON keys in snake_case).
public struct RepresentationCollapseEvidence: Sendable, Equatable, Codable {
    public var rule: String
    public var series: SeriesID
    public var units: String
    /// The highest smoothed DSE of the look-back window, the level the layer fell from.
    public var referenceStep: Int64
    public var referenceValue: Double
    public var step: Int64
    public var value: Double
    public var drop: Double
    public var relativeDrop: Double
    public var thresholdRelativeDrop: Double
    public var thresholdAbsolute: Double
    public var thresholdNoise: Double
    public var threshold: Double
    public var window: Int
    public var n: Int
    public var d: Int
    public var recent: SeriesWindow
}
