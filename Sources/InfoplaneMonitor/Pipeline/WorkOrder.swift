import InfoplaneEstimators

/// Everything a worker needs to run one `WorkItem` away from the pipeline actor.
struct WorkOrder: Sendable {
    enum Task: Sendable {
        /// Prepare `layer`; `projection` is the run's kept basis, nil to fit one here.
        case prepare(layer: FrameLayer, projection: LayerProjection?, kernelWanted: Bool)
        case estimate(PipelineEstimate, EstimationInput)
        case binningPair(EstimationInput)
    }
    var item: WorkItem
    var key: FrameKey
    var partial: Bool
    var settings: RunSettings
    var task: Task
}

/// What a worker hands back.
enum WorkOutcome: Sendable {
    case prepared(PreparedLayer)
    case estimated(SeriesPoint)
    /// A binning pair: I(X;T) and I(T;Y), each carrying half the pass's time.
    case estimatedPair([SeriesPoint])
    case failed(String)
}

/// The computations of the pool, free of any shared state.
enum PipelineWork {
    static func perform(_ order: WorkOrder, estimators: any LayerEstimating, clock: MonitorClock) -> WorkOutcome {
        switch order.task {
        case let .prepare(layer, projection, kernelWanted):
            let start = clock.now()
            do {
                var prepared = try prepare(layer, projection: projection, kernelWanted: kernelWanted,
                                           key: order.key, settings: order.settings)
                prepared.seconds = clock.now() - start
                return .prepared(prepared)
            } catch {
                return .failed(String(describing: error))
            }
        case let .estimate(estimator, input):
            let start = clock.now()
            do {
                let estimate = try estimators.estimate(estimator, input: input, configuration: order.settings.estimation)
                let seconds = clock.now() - start
                return .estimated(point(estimator, estimate, input: input, order: order, seconds: seconds))
            } catch {
                return .failed("\(estimator.rawValue): \(error)")
            }
        case .binningPair(let input):
            let start = clock.now()
            do {
                let (ixt, ity) = try estimators.estimateBinningPair(input: input, configuration: order.settings.estimation)
                let half = (clock.now() - start) / 2
                return .estimatedPair([
                    point(.binningInputInformation, ixt, input: input, order: order, seconds: half),
                    point(.binningLabelInformation, ity, input: input, order: order, seconds: half),
                ])
            } catch {
                return .failed("binning: \(error)")
            }
        }
    }

    static func point(_ estimator: PipelineEstimate, _ estimate: Estimate, input: EstimationInput,
                      order: WorkOrder, seconds: Double) -> SeriesPoint {
        SeriesPoint(series: SeriesID(run: order.key.run, layer: input.layer, split: order.key.split,
                                     metric: estimator.metric, estimator: estimator.estimator),
                    step: order.key.step, value: estimate.value, unit: .information(estimate.units),
                    sampleCount: estimate.n, dimension: estimate.d, seconds: seconds,
                    flags: order.partial ? .partialFrame : [])
    }

    /// Converts a layer to `Double`, records its range, projects it (fitting the basis when
    /// none is given), adds the configured noise and picks the kernel σ.
    static func prepare(_ layer: FrameLayer, projection: LayerProjection?, kernelWanted: Bool,
                        key: FrameKey, settings: RunSettings) throws -> PreparedLayer {
        let raw = try Matrix(rows: layer.rows, columns: layer.columns, storage: layer.doubles())
        try raw.validate(name: "layer \(layer.name)")
        let lower = raw.storage.min() ?? 0, upper = raw.storage.max() ?? 0
        let salt = LayerProjection.salt(layer.name)
        let fitted = projection == nil
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
                kernelSigma = KernelBandwidth.median(of: SampleSubset.select(view, subset), scale: e.kernelSigmaScale, seed: e.seed)
            }
        }
        return PreparedLayer(name: layer.name, role: layer.role, raw: raw, compressed: compressed,
                             observedRange: lower...upper, binRange: lower...upper, projection: kept,
                             fittedHere: fitted, kernelSigma: kernelSigma)
    }
}

