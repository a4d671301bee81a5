import InfoplaneEstimators

/// The computations of a work item, free of any shared state: a worker runs them away from
/// the pipeline actor and hands the result back.
extension WorkItem {
    /// Converts `layerToPrepare` to `Double`, records its range, projects it (fitting the
    /// basis when `projection` is nil), adds the configured noise and picks the kernel σ.
    func prepare(frame key: FrameKey, settings: RunSettings, clock: PipelineClock) throws -> PreparedLayer {
        guard let layer = layerToPrepare else { preconditionFailure("a preparation taken without its layer") }
        let start = clock.now
        let raw = try Matrix(rows: layer.rows, columns: layer.columns, storage: layer.doubles())
        try raw.validate(name: "layer \(layer.name)")
        let lower = raw.storage.min() ?? 0, upper = raw.storage.max() ?? 0
        let salt = LayerProjection.salt(layer.name)
        var compression = settings.compression
        if layer.role == .input && !compression.compressInputs { compression.method = .none }
        let kept = try projection ?? LayerProjection.fit(raw, configuration: compression, step: key.step, salt: salt)
        var compressed = try kept.apply(to: raw)
        let sigma = settings.compression.noiseSigma
        if sigma > 0 {
            let seed = settings.compression.seed ^ salt ^ UInt64(bitPattern: key.step) &* 0x9E37_79B9_7F4A_7C15
            compressed = try GaussianNoise(sigma: sigma, seed: seed).apply(to: compressed)
        }
        var kernelSigma: Double?
        if kernelWanted {
            let e = settings.estimation
            if e.kernelSigma > 0 {
                kernelSigma = e.kernelSigma
            } else {
                let view = e.kernelInput == .compressed ? compressed : raw
                let subset = SampleSubset.indices(rows: view.rows, limit: e.kernelMaxSamples, seed: e.seed)
                kernelSigma = KernelBandwidth.median(of: SampleSubset.select(view, subset), scale: e.kernelSigmaScale,
                                                     seed: e.seed)
            }
        }
        var prepared = PreparedLayer(name: layer.name, role: layer.role, raw: raw, compressed: compressed,
                                     observedRange: lower...upper, binRange: lower...upper, projection: kept,
                                     fittedHere: projection == nil, kernelSigma: kernelSigma)
        prepared.duration = clock.now - start
        return prepared
    }

    /// Runs the item's estimator on `input`: one point, or two for the binning pair (each
    /// carrying half the pass's time). Throws the estimator's error.
    func estimate(with estimators: any LayerEstimating, partial: Bool, settings: RunSettings,
                  clock: PipelineClock) throws -> [SeriesPoint] {
        guard let input else { preconditionFailure("an estimate taken without its input") }
        let start = clock.now
        switch kind {
        case .prepare:
            return []
        case .estimate(_, let estimator):
            let estimate = try estimators.estimate(estimator, input: input, configuration: settings.estimation)
            return [Self.point(estimator, estimate, input: input, partial: partial, seconds: (clock.now - start).inSeconds)]
        case .binningPair:
            let pair = try estimators.estimateBinningPair(input: input, configuration: settings.estimation)
            let half = (clock.now - start).inSeconds / 2
            return [Self.point(.binningInputInformation, pair.inputInformation, input: input, partial: partial, seconds: half),
                    Self.point(.binningLabelInformation, pair.labelInformation, input: input, partial: partial, seconds: half)]
        }
    }

    private static func point(_ estimator: PipelineEstimate, _ estimate: Estimate, input: EstimationInput,
                              partial: Bool, seconds: Double) -> SeriesPoint {
        SeriesPoint(series: SeriesID(run: input.key.run, layer: input.layer, split: input.key.split,
                                     metric: estimator.metric, estimator: estimator.estimator),
                    step: input.key.step, value: estimate.value, unit: .information(estimate.units),
                    sampleCount: estimate.n, dimension: estimate.d, seconds: seconds,
                    flags: SeriesPointFlags(partial: partial, estimate: estimate))
    }
}
