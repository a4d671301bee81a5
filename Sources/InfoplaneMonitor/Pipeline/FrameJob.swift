/// A frame in the estimation pool: queued, then prepared (one item per layer and X), then
/// estimated (one item per watched layer and estimator), then finished.
public struct FrameJob: Sendable {
    public enum Stage: Sendable, Equatable {
        /// No item started yet; may still be dropped for a newer frame of its stream.
        case waiting
        case preparing
        case estimating
        case finished
    }

    public let id: Int
    public let frame: ProbeFrame
    public let settings: RunSettings
    /// When the frame was queued (clock seconds).
    public let queuedAt: Double
    public internal(set) var stage: Stage = .waiting
    /// Items not yet handed to a worker.
    public internal(set) var ready: [WorkItem] = []
    /// Items handed out and not yet completed.
    public internal(set) var running = 0
    public internal(set) var prepared: [String: PreparedLayer] = [:]
    public internal(set) var points: [SeriesPoint] = []
    /// Layers whose preparation failed (their estimates are skipped), with the reason.
    public internal(set) var failedLayers: [String: String] = [:]
    public let labels: [Int]?

    init(id: Int, frame: ProbeFrame, settings: RunSettings, queuedAt: Double) {
        self.id = id
        self.frame = frame
        self.settings = settings
        self.queuedAt = queuedAt
        self.labels = frame.labels.map { $0.classLabels().map { Int(truncatingIfNeeded: $0) } }
    }

    var estimators: [PipelineEstimator] { settings.estimation.estimators }

    /// The layers to prepare: every watched layer, and X when an estimator needs it.
    var layersToPrepare: [String] {
        var names = frame.watchedLayers.map(\.name)
        if let x = frame.inputs, estimators.contains(where: \.needsInputs) { names.insert(x.name, at: 0) }
        return estimators.isEmpty ? [] : names
    }

    /// The estimates to run once every layer is prepared; an estimator whose X or Y the
    /// frame lacks is left out.
    var estimateItems: [WorkItem] {
        var items: [WorkItem] = []
        let hasInputs = frame.inputs.map { prepared[$0.name] != nil } ?? false
        let pairBinning = labels != nil && estimators.contains(.binningInputInformation)
            && estimators.contains(.binningLabelInformation)
        for layer in frame.watchedLayers where prepared[layer.name] != nil {
            if pairBinning { items.append(WorkItem(job: id, kind: .binningPair(layer: layer.name))) }
            for estimator in estimators {
                if estimator.needsInputs && !hasInputs { continue }
                if estimator.needsLabels && labels == nil { continue }
                if pairBinning && estimator.usesBinning { continue }
                items.append(WorkItem(job: id, kind: .estimate(layer: layer.name, estimator)))
            }
        }
        return items
    }
}

/// A frame whose every estimate is done, handed back for storing.
public struct FinishedFrame: Sendable {
    public var key: FrameKey
    public var partial: Bool
    public var points: [SeriesPoint]
    public var queuedAt: Double
    /// Projections fitted on this frame (to record their explained variance).
    public var fitted: [String: LayerProjection]
    /// σ of the kernel per watched layer, when DSE or DSMI ran.
    public var kernelSigmas: [String: Double]
    /// Seconds each layer's preparation took (conversion, compression, σ).
    public var preparationSeconds: [String: Double]
    /// Rows and compressed width per prepared layer.
    public var shapes: [String: (rows: Int, compressedWidth: Int)]
    public var failedLayers: [String: String]
    /// The run settings the frame was estimated with.
    public var settings: RunSettings
}
