/// A frame in the estimation pool: queued, then prepared (one item per layer and X), then
/// estimated (one item per watched layer and estimator), then finished.
struct FrameJob: Sendable {
    enum Stage: Sendable, Equatable {
        /// No item started yet.
        case waiting
        case preparing
        case estimating
        case finished
    }

    let id: Int
    let frame: ProbeFrame
    let settings: RunSettings
    /// When the frame was queued (on the pipeline's clock).
    let queuedAt: Duration
    var stage: Stage = .waiting
    /// The items of the current stage; those before `readyStart` are handed out.
    private var readyItems: [WorkItem] = []
    private var readyStart = 0
    /// Items not yet handed to a worker.
    var ready: ArraySlice<WorkItem> { readyItems[readyStart...] }
    var readyCount: Int { readyItems.count - readyStart }
    /// Items handed out and not yet completed.
    var running = 0
    var prepared: [String: PreparedLayer] = [:]
    var points: [SeriesPoint] = []
    /// Layers whose preparation failed (their estimates are skipped), with the reason.
    var failedLayers: [String: String] = [:]
    let labels: [Int]?
    /// The frame's X (`frame.inputs`), found once.
    let inputs: FrameLayer?
    /// Index in `frame.layers` by name: a work order finds its layer in O(1), not by a
    /// pass over a frame that may have thousands.
    private let layerIndex: [String: Int]

    init(id: Int, frame: ProbeFrame, settings: RunSettings, queuedAt: Duration) {
        self.id = id
        self.frame = frame
        self.settings = settings
        self.queuedAt = queuedAt
        self.labels = frame.labels.map { $0.classLabels().map { Int(truncatingIfNeeded: $0) } }
        self.inputs = frame.inputs
        var index: [String: Int] = [:]
        index.reserveCapacity(frame.layers.count)
        for (i, layer) in frame.layers.enumerated() where index[layer.name] == nil { index[layer.name] = i }
        self.layerIndex = index
    }

    /// The frame's layer of that name (the first, as `ProbeFrame.layer(named:)`).
    func layer(named name: String) -> FrameLayer? {
        layerIndex[name].map { frame.layers[$0] }
    }

    /// Starts a stage with these items.
    mutating func setReady(_ items: [WorkItem]) {
        readyItems = items
        readyStart = 0
    }

    /// Takes the ready item at `index` (an index of `ready`). The first one only moves the
    /// cursor: O(1), and the item list is not copied even if a copy of the job shares it.
    mutating func takeReady(at index: Int) -> WorkItem {
        running += 1
        if index == readyStart {
            readyStart += 1
            return readyItems[index]
        }
        return readyItems.remove(at: index)
    }

    var estimators: [PipelineEstimate] { settings.estimation.estimators }

    /// The layers to prepare: every watched layer, and X when an estimator needs it.
    var layersToPrepare: [String] {
        var names = frame.watchedLayers.map(\.name)
        if let x = inputs, estimators.contains(where: \.needsInputs) { names.insert(x.name, at: 0) }
        return estimators.isEmpty ? [] : names
    }

    /// The estimates to run once every layer is prepared; an estimator whose X or Y the
    /// frame lacks is left out.
    var estimateItems: [WorkItem] {
        var items: [WorkItem] = []
        let hasInputs = inputs.map { prepared[$0.name] != nil } ?? false
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
