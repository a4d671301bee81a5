/// One unit of work of the estimation pool.
public struct WorkItem: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Convert a layer (or X) to `Double`, record its range, compress it.
        case prepare(layer: String)
        /// Run one estimator on one prepared watched layer.
        case estimate(layer: String, PipelineEstimate)
        /// Binning I(X;T) and I(T;Y) of one layer from one pass over its binned rows.
        case binningPair(layer: String)
    }
    /// The frame job it belongs to.
    public var job: Int
    public var kind: Kind

    public init(job: Int, kind: Kind) {
        self.job = job
        self.kind = kind
    }

    public var layer: String {
        switch kind {
        case .prepare(let layer), .estimate(let layer, _), .binningPair(let layer): return layer
        }
    }
}
