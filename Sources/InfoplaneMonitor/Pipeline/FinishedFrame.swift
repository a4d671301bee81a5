/// A frame whose estimates are done (or were cut short by the shutdown grace), with every
/// point its store transaction writes. It is what the pool hands to the store, and what
/// waits in the store's retry queue while writes fail.
struct FinishedFrame: Sendable {
    var key: FrameKey
    var partial: Bool
    /// The estimates, in (layer, metric, estimator) order: what the alert rules are fed.
    var points: [SeriesPoint]
    /// Written with the estimates: the explained variance of each basis fitted on this
    /// frame, and the kernel σ of each layer when DSE or DSMI ran.
    var records: [SeriesPoint]
    /// When the frame was queued (on the pipeline's clock).
    var queuedAt: Duration
    /// Layers whose preparation failed (their estimates are missing), with the reason.
    var failedLayers: [String: String]
    /// True when the shutdown grace ended the frame's estimation: `points` are the
    /// estimates done by then (each as valid as in a whole frame), some are missing.
    var interrupted = false

    /// Everything the frame's transaction writes: estimates, then records.
    var pointsToStore: [SeriesPoint] { points + records }

    init(_ job: FrameJob, interrupted: Bool = false) {
        key = job.frame.key
        partial = job.frame.partial
        points = job.points.sorted { $0.series < $1.series }
        records = Self.records(job)
        queuedAt = job.queuedAt
        failedLayers = job.failedLayers
        self.interrupted = interrupted
    }

    /// The explained variance of bases fitted on this frame and the kernel σ of each layer.
    private static func records(_ job: FrameJob) -> [SeriesPoint] {
        let key = job.frame.key, partial = job.frame.partial, estimation = job.settings.estimation
        var points: [SeriesPoint] = []
        for (layer, prepared) in job.prepared.sorted(by: { $0.key < $1.key }) where prepared.fittedHere {
            guard let explained = prepared.projection.explainedVariance else { continue }
            let series = SeriesID(run: key.run, layer: layer, split: key.split, metric: .explainedVariance,
                                  estimator: .pca)
            points.append(SeriesPoint(series: series, step: key.step, value: explained, unit: .fraction,
                                      sampleCount: prepared.raw.rows, dimension: prepared.projection.outputWidth,
                                      seconds: 0, flags: partial ? .partialFrame : []))
        }
        let fixed = estimation.kernelSigma > 0, raw = estimation.kernelInput == .raw
        for (layer, prepared) in job.prepared.sorted(by: { $0.key < $1.key }) {
            guard let sigma = prepared.kernelSigma else { continue }
            let series = SeriesID(run: key.run, layer: layer, split: key.split, metric: .kernelSigma,
                                  estimator: fixed ? .fixedKernelSigma : .medianHeuristic)
            points.append(SeriesPoint(series: series, step: key.step, value: sigma, unit: .data,
                                      sampleCount: prepared.raw.rows, dimension: raw ? 0 : prepared.compressed.columns,
                                      seconds: 0, flags: partial ? .partialFrame : []))
        }
        return points
    }
}
