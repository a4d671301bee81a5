import Foundation

/// `overfitting`: the network keeps gaining on its training data while losing (or not
/// gaining) on held-out data. Two independent signals, each with its own episode:
///
/// - **Information**, per (run, layer, I(T;Y) estimator), from the TRAIN and VALIDATION
///   splits' trailing medians St and Sv, compared at the latest step both have. Let p be
///   the step of the validation peak (the highest Sv of the episode). The generalisation
///   gap grew by G = [St(now) − St(p)] + [Sv(p) − Sv(now)]. The condition is
///   G ≥ max(`relative_gap_growth` · Sv(p), `absolute_floor_bits`) while training did not
///   fall (St(now) ≥ St(p) − floor): training rising while validation falls, or training
///   rising by the threshold while validation stagnates. Points on fewer than
///   `min_samples` samples, and binning points on fewer than `min_samples_binning`, are
///   ignored (plug-in binning on few samples pins I(T;Y) at H(Y)).
/// - **Loss**, per run (layer ""), from the training and validation loss scalars (see
///   `ScalarNames`): the smoothed validation loss rose above its minimum m by
///   max(`loss_relative_rise` · m, `loss_absolute_floor`) while the training loss did not
///   rise (≤ its value at m's step + the floor).
///
/// Each holds `confirm_evaluations` consecutive evaluations to fire, and re-arms after
/// `rearm_evaluations` evaluations below half its threshold. Estimators of one layer share
/// one episode.
public struct OverfittingRule: AlertRule {
    public var kind: AlertKind { .overfitting }
    let thresholds: OverfittingThresholds
    let history: SeriesHistory

    /// Keyed by the validation series: its train counterpart feeds the same track.
    private var information: [SeriesID: DivergenceTrack] = [:]
    private var losses: [String: DivergenceTrack] = [:]
    private var episodes = LayerEpisodes()

    /// A training series and a validation series whose divergence the rule watches.
    struct DivergenceTrack: Sendable {
        var train: SmoothedSeries
        var validation: SmoothedSeries
        var latch = EpisodeLatch()
        var lastEvaluated = Int64.min
        /// The validation extreme of the episode: the peak (information) or minimum (loss).
        var reference: (step: Int64, value: Double)?
        /// The threshold the episode fired at: the episode clears when the divergence falls
        /// to half of it. Frozen at firing, because the live threshold has a noise term that
        /// grows with a noisy validation series and would "clear" a still-diverging run.
        var firedThreshold: Double?
        var trainN: Int?
        var validationN: Int?

        init(_ history: SeriesHistory) {
            train = history.series()
            validation = history.series()
        }
    }

    public init(thresholds: OverfittingThresholds = .init(), smoothingWindow: Int = 5, historyLimit: Int = 4096) {
        self.thresholds = thresholds
        history = SeriesHistory(smoothingWindow: smoothingWindow, limit: historyLimit)
    }

    public mutating func observe(_ input: AlertInput, at time: Date) -> [AlertRecord] {
        switch input {
        case .point(let point):
            guard point.metric == Metric.labelInformation,
                  point.split == .train || point.split == .validation,
                  thresholds.estimators.isEmpty || thresholds.estimators.contains(point.estimator) else { return [] }
            return observeInformation(point, at: time)
        case .scalars(let record):
            return observeLoss(record, at: time)
        case .runEnded(let run):
            information = information.filter { $0.key.run != run }
            losses[run] = nil
            episodes.forget(run: run)
            return []
        case .activity, .sessionClosed:
            return []
        }
    }

    // MARK: - Information signal

    private func hasEnoughSamples(_ point: SeriesPoint) -> Bool {
        if point.sampleCount < thresholds.minSamples { return false }
        if point.estimator == .binning, point.sampleCount < thresholds.minSamplesBinning { return false }
        return true
    }

    private mutating func observeInformation(_ point: SeriesPoint, at time: Date) -> [AlertRecord] {
        guard hasEnoughSamples(point) else { return [] }
        var key = point.series
        key.split = .validation
        var track = information[key] ?? DivergenceTrack(history)
        defer { information[key] = track }
        if point.split == .train { track.trainN = point.sampleCount } else { track.validationN = point.sampleCount }
        let appended = point.split == .train
            ? track.train.append(step: point.step, value: point.value)
            : track.validation.append(step: point.step, value: point.value)
        guard appended, let step = Self.comparableStep(track) else { return [] }
        track.lastEvaluated = step
        let St = track.train.smoothed(atOrBefore: step)!
        let Sv = track.validation.smoothed(atOrBefore: step)!
        if track.latch.state == .armed, track.reference == nil || Sv > track.reference!.value {
            track.reference = (step, Sv)
        }
        let peak = track.reference!
        let trainAtPeak = track.train.smoothed(atOrBefore: peak.step)!
        let floor = AlertUnits.floor(bits: thresholds.absoluteFloorBits, in: point.unit)
        let growth = (St - trainAtPeak) + (peak.value - Sv)
        let noiseScale = (pow(track.train.noiseScale(), 2) + pow(track.validation.noiseScale(), 2)).squareRoot()
        let threshold = max(thresholds.relativeGapGrowth * abs(peak.value), floor, thresholds.noiseMultiplier * noiseScale)
        let condition = St >= trainAtPeak - floor && growth > 0 && growth >= threshold

        switch track.latch.update(condition: condition, cleared: growth <= (track.firedThreshold ?? threshold) / 2,
                                  confirm: thresholds.confirmEvaluations, rearm: thresholds.rearmEvaluations) {
        case .none:
            return []
        case .rearmed:
            episodes.release(key)
            track.reference = (step, Sv)
            track.firedThreshold = nil
            return []
        case .fire:
            track.firedThreshold = threshold
            guard episodes.claim(key) else { return [] }
            let evidence = OverfittingEvidence(
                rule: kind.rawValue, signal: "information", metric: point.metric.rawValue, estimator: key.estimator.rawValue,
                units: point.unit.rawValue, referenceStep: peak.step, step: step,
                trainAtReference: trainAtPeak, train: St, validationAtReference: peak.value, validation: Sv,
                divergence: growth, threshold: threshold, noiseScale: noiseScale, confirmEvaluations: thresholds.confirmEvaluations,
                trainN: track.trainN, validationN: track.validationN,
                trainRecent: track.train.recent(16), validationRecent: track.validation.recent(16))
            let u = point.unit
            let message = "On layer \(key.layer) (\(key.estimator)), training I(T;Y) went from \(AlertUnits.format(trainAtPeak)) to "
                + "\(AlertUnits.format(St)) \(u) while validation I(T;Y) went from its peak \(AlertUnits.format(peak.value)) at step "
                + "\(peak.step) to \(AlertUnits.format(Sv)) \(u) at step \(step): the train-validation gap grew by "
                + "\(AlertUnits.format(growth)) \(u) (threshold \(AlertUnits.format(threshold)) \(u)) for "
                + "\(thresholds.confirmEvaluations) consecutive evaluations; the layer is overfitting since about step \(peak.step)."
            return [AlertRecord(run: key.run, layer: key.layer, kind: kind, severity: .warning, step: step,
                                message: message, evidenceJSON: AlertEvidence.json(evidence), time: time)]
        }
    }

    /// The latest step both splits have, when it advanced since the last evaluation and
    /// both series are past their warm-up.
    private static func comparableStep(_ track: DivergenceTrack) -> Int64? {
        guard track.train.appended >= track.train.window, track.validation.appended >= track.validation.window,
              let a = track.train.lastStep, let b = track.validation.lastStep else { return nil }
        let step = min(a, b)
        return step > track.lastEvaluated ? step : nil
    }

    // MARK: - Loss signal

    private mutating func observeLoss(_ record: ScalarRecord, at time: Date) -> [AlertRecord] {
        var track = losses[record.run] ?? DivergenceTrack(history)
        defer { losses[record.run] = track }
        var changed = false
        for (quantity, value) in ScalarNames.quantities(in: record) {
            switch quantity {
            case .trainLoss: changed = track.train.append(step: record.step, value: value) || changed
            case .validationLoss: changed = track.validation.append(step: record.step, value: value) || changed
            case .trainAccuracy: break
            }
        }
        guard changed, let step = Self.comparableStep(track) else { return [] }
        track.lastEvaluated = step
        let Lt = track.train.smoothed(atOrBefore: step)!
        let Lv = track.validation.smoothed(atOrBefore: step)!
        if track.latch.state == .armed, track.reference == nil || Lv < track.reference!.value {
            track.reference = (step, Lv)
        }
        let best = track.reference!
        let trainAtBest = track.train.smoothed(atOrBefore: best.step)!
        let rise = Lv - best.value
        let noiseScale = track.validation.noiseScale()
        let threshold = max(thresholds.lossRelativeRise * abs(best.value), thresholds.lossAbsoluteFloor,
                            thresholds.noiseMultiplier * noiseScale)
        let condition = Lt <= trainAtBest + thresholds.lossAbsoluteFloor && rise > 0 && rise >= threshold

        switch track.latch.update(condition: condition, cleared: rise <= (track.firedThreshold ?? threshold) / 2,
                                  confirm: thresholds.confirmEvaluations, rearm: thresholds.rearmEvaluations) {
        case .none:
            return []
        case .rearmed:
            track.reference = (step, Lv)
            track.firedThreshold = nil
            return []
        case .fire:
            track.firedThreshold = threshold
            let evidence = OverfittingEvidence(
                rule: kind.rawValue, signal: "loss", metric: "loss", estimator: "", units: "",
                referenceStep: best.step, step: step, trainAtReference: trainAtBest, train: Lt,
                validationAtReference: best.value, validation: Lv, divergence: rise, threshold: threshold,
                noiseScale: noiseScale, confirmEvaluations: thresholds.confirmEvaluations, trainN: nil, validationN: nil,
                trainRecent: track.train.recent(16), validationRecent: track.validation.recent(16))
            let message = "Validation loss rose from its minimum \(AlertUnits.format(best.value)) at step \(best.step) to "
                + "\(AlertUnits.format(Lv)) at step \(step) (+\(AlertUnits.format(rise)), threshold \(AlertUnits.format(threshold))) "
                + "while training loss went from \(AlertUnits.format(trainAtBest)) to \(AlertUnits.format(Lt)), for "
                + "\(thresholds.confirmEvaluations) consecutive evaluations: the run is overfitting since about step \(best.step)."
            return [AlertRecord(run: record.run, layer: "", kind: kind, severity: .warning, step: step,
                                message: message, evidenceJSON: AlertEvidence.json(evidence), time: time)]
        }
    }
}

/// The evidence of an `overfitting` alert (JSON keys in snake_case).
public struct OverfittingEvidence: Sendable, Equatable, Codable {
    public var rule: String
    /// "information" (I(T;Y) train vs validation) or "loss".
    public var signal: String
    public var metric: String
    public var estimator: String
    public var units: String
    /// The validation peak (information) or minimum (loss) the divergence is measured from.
    public var referenceStep: Int64
    public var step: Int64
    public var trainAtReference: Double
    public var train: Double
    public var validationAtReference: Double
    public var validation: Double
    /// Gap growth (information) or validation-loss rise (loss).
    public var divergence: Double
    /// The required divergence: the largest of the relative, absolute and noise terms.
    public var threshold: Double
    /// Robust noise estimate of the compared series (combined for the information signal).
    public var noiseScale: Double
    public var confirmEvaluations: Int
    public var trainN: Int?
    public var validationN: Int?
    public var trainRecent: SeriesWindow
    public var validationRecent: SeriesWindow
}
