import Foundation
import InfoplaneEstimators

/// `compression_onset`: the fitting → compression turn of a layer (Shwartz-Ziv & Tishby 2017).
///
/// For every I(X;T) series (run, layer, split, estimator), on its trailing-median values S:
/// 1. **Fitting gate**, checked at every evaluation. A run that reports its training
///    accuracy: fitting is done when the smoothed accuracy ≥ `fitting_train_accuracy`.
///    A run that does not: when the layer's I(T;Y) (same split; same estimator if there is
///    one, else mixed, binning, dsmi) rose by at most `fitting_plateau_relative_rise` of its
///    value both over the last `fitting_plateau_window` evaluations and since step
///    s·(1 − `fitting_plateau_step_fraction`). The I(X;T) dips of the fitting phase
///    therefore cannot fire, whatever the evaluation cadence.
/// 2. **Peak.** While the gate is open, the peak P is the highest S since it (last) opened;
///    a closed gate forgets the peak.
/// 3. **Condition.** P − S ≥ max(`relative_drop` · P, `absolute_floor_bits`) while I(T;Y)
///    did not fall (its S ≥ `label_information_fraction` × its maximum so far), for
///    `confirm_evaluations` consecutive evaluations. The alert's step is the confirming
///    evaluation; the evidence gives the peak step (the onset) and the values.
/// 4. **Episode.** Quiet until S has risen from its trough by max(`rearm_relative_rise` ·
///    trough, floor) for `rearm_evaluations` evaluations (a new fitting phase); then the
///    gate and peak start afresh, so a second compression gives a second alert. Several
///    series of one layer (splits, estimators) share one episode: the first to fire owns it.
public struct CompressionOnsetRule: AlertRule {
    public var kind: AlertKind { .compressionOnset }
    let thresholds: CompressionOnsetThresholds
    let history: SeriesHistory

    private var inputs: [SeriesID: InputTrack] = [:]
    private var labels: [SeriesID: LabelTrack] = [:]
    private var accuracy: [String: SmoothedSeries] = [:]
    private var episodes = LayerEpisodes()

    struct InputTrack: Sendable {
        var series: SmoothedSeries
        var latch = EpisodeLatch()
        var gate: String?
        var peak: (step: Int64, value: Double)?
        var trough: (step: Int64, value: Double)?
    }

    struct LabelTrack: Sendable {
        var series: SmoothedSeries
        var maximum = -Double.infinity
    }

    public init(thresholds: CompressionOnsetThresholds = .init(), smoothingWindow: Int = 5, historyLimit: Int = 4096) {
        self.thresholds = thresholds
        history = SeriesHistory(smoothingWindow: smoothingWindow, limit: historyLimit)
    }

    public mutating func observe(_ input: AlertInput, at time: Date) -> [AlertRecord] {
        switch input {
        case .point(let point):
            if point.metric == Metric.labelInformation {
                observeLabelInformation(point)
            } else if point.metric == Metric.inputInformation,
                      thresholds.estimators.isEmpty || thresholds.estimators.contains(point.estimator) {
                return observeInputInformation(point, at: time)
            }
        case .scalars(let record):
            for (quantity, value) in ScalarNames.quantities(in: record) where quantity == .trainAccuracy {
                accuracy[record.run, default: SmoothedSeries(window: history.smoothingWindow, limit: 1024, thinsHistory: true)]
                    .append(step: record.step, value: value)
            }
        case .runEnded(let run):
            inputs = inputs.filter { $0.key.run != run }
            labels = labels.filter { $0.key.run != run }
            accuracy[run] = nil
            episodes.forget(run: run)
        case .activity, .sessionClosed:
            break
        }
        return []
    }

    private mutating func observeLabelInformation(_ point: SeriesPoint) {
        let key = point.series
        var track = labels[key] ?? LabelTrack(series: history.series())
        if track.series.append(step: point.step, value: point.value), let s = track.series.lastSmoothed {
            track.maximum = max(track.maximum, s)
        }
        labels[key] = track
    }

    /// The I(T;Y) series paired with an I(X;T) series.
    private func pairedLabel(for key: SeriesID) -> (EstimatorName, LabelTrack)? {
        let candidates = labels.filter {
            $0.key.run == key.run && $0.key.layer == key.layer && $0.key.split == key.split
        }
        for estimator in [key.estimator, .mixed, .binning, .dsmi] {
            if let hit = candidates.first(where: { $0.key.estimator == estimator }) { return (estimator, hit.value) }
        }
        return candidates.min { $0.key.estimator < $1.key.estimator }.map { ($0.key.estimator, $0.value) }
    }

    /// Why fitting counts as done at `step`, or nil.
    private func fittingGate(run: String, step: Int64, label: LabelTrack?) -> String? {
        if let accuracy = accuracy[run] {
            // The accuracy *at this point's step*: scalars arrive with training while probe
            // frames are estimated later, so the newest accuracy may be far ahead.
            guard let acc = accuracy.smoothedKnown(atOrBefore: step), acc >= thresholds.fittingTrainAccuracy else { return nil }
            return "train accuracy \(AlertUnits.format(acc)) >= \(AlertUnits.format(thresholds.fittingTrainAccuracy)) at step \(step)"
        }
        let w = thresholds.fittingPlateauWindow
        let spanStart = Int64((Double(step) * (1 - thresholds.fittingPlateauStepFraction)).rounded(.down))
        // (A series that starts after `spanStart`, e.g. after a daemon restart, is compared
        // with its oldest value.)
        guard let label, let now = label.series.lastSmoothed, let before = label.series.smoothed(lag: w),
              let atSpanStart = label.series.smoothed(atOrBefore: spanStart) else { return nil }
        let rise = now - min(before, atSpanStart)
        guard rise <= thresholds.fittingPlateauRelativeRise * abs(now) else { return nil }
        return "I(T;Y) plateau: rose \(AlertUnits.format(now - before)) over the last \(w) evaluations and "
            + "\(AlertUnits.format(now - atSpanStart)) since step \(spanStart)"
    }

    private mutating func observeInputInformation(_ point: SeriesPoint, at time: Date) -> [AlertRecord] {
        let key = point.series
        var track = inputs[key] ?? InputTrack(series: history.series())
        defer { inputs[key] = track }
        guard track.series.append(step: point.step, value: point.value),
              track.series.appended >= history.smoothingWindow, let s = track.series.lastSmoothed else { return [] }
        let floor = AlertUnits.floor(bits: thresholds.absoluteFloorBits, in: point.unit)
        let paired = pairedLabel(for: key)

        switch track.latch.state {
        case .armed:
            // The gate is re-evaluated at every evaluation: an early flat stretch of I(T;Y)
            // (before learning starts) opens it, and the rise that follows must close it
            // again. While it is closed the peak is forgotten: only a fall measured from a
            // peak reached after fitting counts.
            if let reason = fittingGate(run: key.run, step: point.step, label: paired?.1) {
                if track.gate == nil || track.peak == nil {
                    track.peak = (point.step, s)
                } else if let peak = track.peak, s > peak.value {
                    track.peak = (point.step, s)
                }
                track.gate = reason
            } else {
                track.gate = nil
                track.peak = nil
            }
            var labelHeld = true
            if let label = paired?.1, let now = label.series.lastSmoothed {
                labelHeld = now >= label.maximum - (1 - thresholds.labelInformationFraction) * abs(label.maximum)
            }
            let noise = thresholds.noiseMultiplier * track.series.noiseScale()
            var condition = false
            if track.gate != nil, let peak = track.peak {
                let drop = peak.value - s
                condition = labelHeld && drop > 0 && drop >= max(thresholds.relativeDrop * peak.value, floor, noise)
            }
            let transition = track.latch.update(condition: condition, cleared: false,
                                                confirm: thresholds.confirmEvaluations, rearm: thresholds.rearmEvaluations)
            guard transition == .fire, let peak = track.peak else { return [] }
            track.trough = (point.step, s)
            guard episodes.claim(key) else { return [] }
            return [alert(key: key, point: point, track: track, peak: peak, smoothed: s, floor: floor, noise: noise,
                          label: paired, at: time)]

        case .fired:
            if let trough = track.trough, s < trough.value { track.trough = (point.step, s) }
            let trough = track.trough?.value ?? s
            let rise = s - trough
            let noise = thresholds.noiseMultiplier * track.series.noiseScale()
            let cleared = rise > 0 && rise >= max(thresholds.rearmRelativeRise * abs(trough), floor, noise)
            if track.latch.update(condition: false, cleared: cleared, confirm: thresholds.confirmEvaluations,
                                  rearm: thresholds.rearmEvaluations) == .rearmed {
                episodes.release(key)
                track.gate = nil
                track.peak = nil
                track.trough = nil
            }
            return []
        }
    }

    private func alert(key: SeriesID, point: SeriesPoint, track: InputTrack, peak: (step: Int64, value: Double),
                       smoothed s: Double, floor: Double, noise: Double, label: (EstimatorName, LabelTrack)?,
                       at time: Date) -> AlertRecord {
        let drop = peak.value - s
        let relative = peak.value != 0 ? drop / abs(peak.value) : 0
        let since = track.series.steps.firstIndex(where: { $0 >= peak.step }) ?? 0
        let shown = min(32, track.series.steps.count - since + history.smoothingWindow)
        var labelText = ""
        var labelEvidence: CompressionOnsetEvidence.LabelInformation?
        if let (estimator, labelTrack) = label, let now = labelTrack.series.lastSmoothed {
            labelEvidence = .init(estimator: estimator, value: now, maximum: labelTrack.maximum)
            labelText = ", while I(T;Y) (\(estimator)) held at \(AlertUnits.format(now)) \(point.unit) (maximum so far \(AlertUnits.format(labelTrack.maximum)))"
        }
        let evidence = CompressionOnsetEvidence(
            rule: kind.rawValue, series: key, units: point.unit.rawValue, peakStep: peak.step, peakValue: peak.value,
            step: point.step, value: s, drop: drop, relativeDrop: relative,
            thresholdRelativeDrop: thresholds.relativeDrop, thresholdAbsolute: floor, thresholdNoise: noise,
            threshold: max(thresholds.relativeDrop * peak.value, floor, noise),
            confirmEvaluations: thresholds.confirmEvaluations, fittingGate: track.gate ?? "",
            trainAccuracy: accuracy[key.run]?.smoothedKnown(atOrBefore: point.step), labelInformation: labelEvidence,
            recent: track.series.recent(shown))
        let message = "I(X;T) of layer \(key.label) fell from its peak \(AlertUnits.format(peak.value)) \(point.unit) at step \(peak.step) "
            + "to \(AlertUnits.format(s)) \(point.unit) at step \(point.step) (-\(AlertUnits.percent(relative)); threshold "
            + "\(AlertUnits.format(max(thresholds.relativeDrop * peak.value, floor, noise))) \(point.unit): the largest of "
            + "\(AlertUnits.percent(thresholds.relativeDrop)) of the peak, \(AlertUnits.format(floor)) and \(AlertUnits.format(thresholds.noiseMultiplier)) x noise = \(AlertUnits.format(noise))) "
            + "for \(thresholds.confirmEvaluations) consecutive evaluations after fitting was done (\(track.gate ?? ""))\(labelText): "
            + "a compression phase began after step \(peak.step)."
        return AlertRecord(run: key.run, layer: key.layer, kind: kind, severity: .info, step: point.step,
                           message: message, evidenceJSON: AlertEvidence.json(evidence), time: time)
    }
}

/// The evidence of a `compression_onset` alert (JSON keys in snake_case).
public struct CompressionOnsetEvidence: Sendable, Equatable, Codable {
    public struct LabelInformation: Sendable, Equatable, Codable {
        public var estimator: EstimatorName
        public var value: Double
        public var maximum: Double
    }
    public var rule: String
    public var series: SeriesID
    public var units: String
    /// The onset: the step and smoothed value of the peak the layer fell from.
    public var peakStep: Int64
    public var peakValue: Double
    /// The confirming evaluation and its smoothed value.
    public var step: Int64
    public var value: Double
    public var drop: Double
    public var relativeDrop: Double
    public var thresholdRelativeDrop: Double
    /// The absolute floor, in `units`.
    public var thresholdAbsolute: Double
    /// `noise_multiplier` times the series' robust noise estimate, in `units`.
    public var thresholdNoise: Double
    /// The drop required: the largest of the relative, absolute and noise terms.
    public var threshold: Double
    public var confirmEvaluations: Int
    /// Why fitting counted as done.
    public var fittingGate: String
    public var trainAccuracy: Double?
    public var labelInformation: LabelInformation?
    public var recent: SeriesWindow
}
