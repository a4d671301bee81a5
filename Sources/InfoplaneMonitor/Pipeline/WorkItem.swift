import InfoplaneEstimators

/// One unit of work of the estimation pool: one layer's preparation, or one estimator (or
/// the binning pair) on one prepared watched layer of a frame.
///
/// The scheduler plans items by `job` and `kind`; when a worker takes one, the pipeline
/// fills in what the work reads (`layerToPrepare` or `input`), so that the worker runs it
/// away from the pipeline actor with nothing shared (`prepare()`, `estimate(with:)`).
/// Two items are equal when they are the same step of the same job.
struct WorkItem: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// Convert a layer (or X) to `Double`, record its range, compress it.
        case prepare(layer: String)
        /// Run one estimator on one prepared watched layer.
        case estimate(layer: String, PipelineEstimate)
        /// Binning I(X;T) and I(T;Y) of one layer from one pass over its binned rows.
        case binningPair(layer: String)
    }
    /// The frame job it belongs to.
    var job: Int
    var kind: Kind
    /// The layer a `.prepare` item converts and compresses, with the run's kept basis (nil:
    /// fit one here) and whether to pick a kernel σ. Filled as a worker takes the item.
    var layerToPrepare: FrameLayer?
    var projection: LayerProjection?
    var kernelWanted = false
    /// What an `.estimate` or `.binningPair` item's estimator sees. Filled as a worker takes
    /// the item.
    var input: EstimationInput?

    init(job: Int, kind: Kind) {
        self.job = job
        self.kind = kind
    }

    var layer: String {
        switch kind {
        case .prepare(let layer), .estimate(let layer, _), .binningPair(let layer): return layer
        }
    }

    static func == (a: WorkItem, b: WorkItem) -> Bool { a.job == b.job && a.kind == b.kind }

    func hash(into hasher: inout Hasher) {
        hasher.combine(job)
        hasher.combine(kind)
    }
}
