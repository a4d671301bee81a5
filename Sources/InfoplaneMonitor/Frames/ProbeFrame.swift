import InfoplaneEstimators

/// One layer of an assembled probe frame: its rows reordered to the frame's `sampleIDs`.
struct FrameLayer: Sendable, Equatable {
    var name: String
    var role: LayerRole
    /// Features per row.
    var columns: Int
    /// Row-major `rows × columns` values, row `i` belonging to the frame's `sampleIDs[i]`.
    var values: SnapshotValues
    /// False when some of the layer's announced chunks never came (partial frames only).
    var complete: Bool
    /// The rows already binned as their chunks arrived (fixed-range runs), in row order; nil
    /// when the binning estimators bin `values` themselves.
    var binned: BinnedRows?

    init(name: String, role: LayerRole, columns: Int, values: SnapshotValues, complete: Bool = true,
                binned: BinnedRows? = nil) {
        self.name = name
        self.role = role
        self.columns = columns
        self.values = values
        self.complete = complete
        self.binned = binned
    }

    /// Equal layers hold the same values; rows binned on arrival compare by their bins.
    static func == (a: FrameLayer, b: FrameLayer) -> Bool {
        a.name == b.name && a.role == b.role && a.columns == b.columns && a.complete == b.complete
            && a.values == b.values && a.binned?.edges == b.binned?.edges && a.binned?.codes == b.binned?.codes
            && a.binned?.hashes == b.binned?.hashes
    }

    var rows: Int { columns == 0 ? 0 : values.count / columns }

    /// The values as `Double`, row-major (integers converted).
    func doubles() -> [Double] { values.doubles() }

    /// One class label per row, for a layer of role `.label`: the value itself for one column
    /// (floats rounded to the nearest integer), the index of the largest value for several
    /// columns (one-hot or class scores).
    func classLabels() -> [Int64] {
        let n = rows
        guard columns > 1 else {
            switch values {
            case .integers(let v): return v
            case .floats, .float32Bytes: return values.doubles().map { Int64($0.rounded()) }
            }
        }
        var labels = [Int64](repeating: 0, count: n)
        let d = doubles()
        for r in 0..<n {
            var best = 0
            for c in 1..<columns where d[r * columns + c] > d[r * columns + best] { best = c }
            labels[r] = Int64(best)
        }
        return labels
    }
}

/// The snapshots of one (run, step, split), aligned by sample id: every layer's row `i`
/// belongs to sample `sampleIDs[i]`.
struct ProbeFrame: Sendable, Equatable {
    var key: FrameKey
    var epoch: Int64
    /// The samples of the frame in ascending id order. For a partial frame, the ids that
    /// came for every included layer.
    var sampleIDs: [Int64]
    /// Every layer that came, in the order their first chunk arrived.
    var layers: [FrameLayer]
    /// True when the frame was finalised before every announced chunk or layer came.
    var partial: Bool

    init(key: FrameKey, epoch: Int64, sampleIDs: [Int64], layers: [FrameLayer], partial: Bool) {
        self.key = key
        self.epoch = epoch
        self.sampleIDs = sampleIDs
        self.layers = layers
        self.partial = partial
    }

    var rows: Int { sampleIDs.count }

    /// The inputs X (the first layer of role `.input`), if sent.
    var inputs: FrameLayer? { layers.first { $0.role == .input } }
    /// The labels Y (the first layer of role `.label`), if sent.
    var labels: FrameLayer? { layers.first { $0.role == .label } }
    /// The layers T whose information is estimated: roles `.hidden` and `.output`.
    var watchedLayers: [FrameLayer] { layers.filter { $0.role == .hidden || $0.role == .output } }

    func layer(named name: String) -> FrameLayer? { layers.first { $0.name == name } }

    /// Values held by the frame (all layers).
    var valueCount: Int { layers.reduce(0) { $0 + $1.values.count } }
}
