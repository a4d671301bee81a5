import InfoplaneEstimators

/// The chunks of one layer gathered so far.
struct PendingLayer: Sendable {
    let name: String
    let role: LayerRole
    let columns: Int
    let chunkCount: Int
    /// Order in which the layer's first chunk arrived within the frame.
    let arrival: Int
    var chunks: [Int: ProbeSnapshot] = [:]
    /// The chunks binned as they came (fixed-range runs only), by chunk index: the
    /// O(rows × units) part of binning done while the rest of the frame is on its way.
    var binnedChunks: [Int: BinnedRows] = [:]
    /// Sample id → chunk index, over every chunk received.
    var chunkOfID: [Int64: Int] = [:]
    /// Values of the chunks received (kept as chunks come, not summed when asked).
    private(set) var valueCount = 0
    /// Set when the layer's ids turned out not to match the frame's; its chunks are
    /// discarded and later ones refused with this message.
    var misalignment: String?

    var isComplete: Bool { misalignment == nil && chunks.count == chunkCount }
    var isUsable: Bool { misalignment == nil && !chunks.isEmpty }

    /// Records a chunk the assembler checked (new index, ids new to the layer) with its rows
    /// binned on arrival, if they were (`BinnedRows(chunk:edges:)`). Returns true when so.
    @discardableResult
    mutating func record(_ s: ProbeSnapshot, binned: BinnedRows? = nil) -> Bool {
        chunks[s.chunkIndex] = s
        if let binned { binnedChunks[s.chunkIndex] = binned }
        for id in s.sampleIDs { chunkOfID[id] = s.chunkIndex }
        valueCount += s.values.count
        return binned != nil
    }

    /// The layer's binned rows in the frame's row order (`rowOf`), when every chunk came and
    /// was binned with the same edges and the chunks cover exactly the frame's rows.
    func binnedRows(rowOf: [Int64: Int], rows: Int) -> BinnedRows? {
        guard chunks.count == chunkCount, binnedChunks.count == chunkCount,
              let edges = binnedChunks.values.first?.edges,
              binnedChunks.values.allSatisfy({ $0.edges == edges }), chunkOfID.count == rows else { return nil }
        let indices = binnedChunks.keys.sorted()
        var picks = [(part: Int, row: Int)](repeating: (0, 0), count: rows)
        var placed = 0
        for (part, index) in indices.enumerated() {
            guard let chunk = chunks[index] else { return nil }
            for (row, id) in chunk.sampleIDs.enumerated() {
                guard let at = rowOf[id] else { return nil }
                picks[at] = (part, row)
                placed += 1
            }
        }
        guard placed == rows else { return nil }
        return BinnedRows.gathering(indices.map { binnedChunks[$0]! }, picks, edges: edges)
    }

    mutating func discard(because message: String) {
        misalignment = message
        chunks = [:]
        binnedChunks = [:]
        chunkOfID = [:]
        valueCount = 0
    }
}

/// A frame being assembled.
struct PendingFrame: Sendable {
    let key: FrameKey
    let epoch: Int64
    /// Sequence number of creation, to find the oldest.
    let sequence: Int
    /// Layers announced for the frame; 0 while unknown.
    var layerCount: Int
    /// Changed only through `record` and `discardLayer`, which keep the counts below.
    private(set) var layers: [String: PendingLayer] = [:]
    /// Layers present and whole: completion is a comparison, not a pass over the layers on
    /// every chunk (which made ingest quadratic in the layers of a frame).
    private(set) var completeLayers = 0
    /// Values held, all layers.
    private(set) var valueCount = 0
    /// The sample ids of the first layer that came whole; every other layer must carry
    /// exactly these.
    var referenceIDs: Set<Int64>?
    var referenceLayer: String?
    var lastActivity: Duration

    init(key: FrameKey, epoch: Int64, sequence: Int, layerCount: Int, now: Duration) {
        self.key = key
        self.epoch = epoch
        self.sequence = sequence
        self.layerCount = layerCount
        self.lastActivity = now
    }

    /// Every announced layer present and whole (layer count known).
    var isComplete: Bool {
        layerCount > 0 && layers.count == layerCount && completeLayers == layerCount
    }

    /// Every layer present is whole (used when the layer count is unknown).
    var presentLayersComplete: Bool {
        !layers.isEmpty && completeLayers == layers.count
    }

    /// Records a checked chunk, creating its layer if new, with its rows binned on arrival
    /// when they were. In place: the layer is changed where it is stored, never copied (its
    /// id map grows with every chunk). Returns true when the chunk came binned.
    @discardableResult
    mutating func record(_ s: ProbeSnapshot, binned: BinnedRows? = nil) -> Bool {
        if layers[s.layer] == nil {
            layers[s.layer] = PendingLayer(name: s.layer, role: s.role, columns: s.columns, chunkCount: s.chunkCount,
                                           arrival: layers.count)
        }
        let wasBinned = layers[s.layer]!.record(s, binned: binned)
        valueCount += s.values.count
        if layers[s.layer]!.isComplete { completeLayers += 1 }
        if s.frameLayerCount > 0 { layerCount = s.frameLayerCount }
        return wasBinned
    }

    /// Leaves a layer out of the frame (misaligned ids): its chunks are dropped and later
    /// ones refused with `message`.
    mutating func discardLayer(_ name: String, because message: String) {
        guard let layer = layers[name] else { return }
        if layer.isComplete { completeLayers -= 1 }
        valueCount -= layer.valueCount
        layers[name]!.discard(because: message)
    }

    /// Builds the frame from the usable layers: rows are the sample ids common to all of
    /// them, in ascending order. Returns nil when nothing is usable.
    func assemble(partial: Bool) -> ProbeFrame? {
        let usable = layers.values.filter(\.isUsable).sorted { $0.arrival < $1.arrival }
        guard var common = usable.first.map({ Set($0.chunkOfID.keys) }) else { return nil }
        for layer in usable.dropFirst() { common.formIntersection(layer.chunkOfID.keys) }
        guard !common.isEmpty else { return nil }
        let ids = common.sorted()
        var rowOf: [Int64: Int] = [:]
        rowOf.reserveCapacity(ids.count)
        for (row, id) in ids.enumerated() { rowOf[id] = row }

        let built = usable.map { layer in
            FrameLayer(name: layer.name, role: layer.role, columns: layer.columns,
                       values: Self.gather(layer, rowOf: rowOf, rows: ids.count),
                       complete: layer.chunks.count == layer.chunkCount,
                       binned: partial ? nil : layer.binnedRows(rowOf: rowOf, rows: ids.count))
        }
        return ProbeFrame(key: key, epoch: epoch, sampleIDs: ids, layers: built, partial: partial)
    }

    /// Places every row of every chunk whose id is in `rowOf` at its row.
    private static func gather(_ layer: PendingLayer, rowOf: [Int64: Int], rows: Int) -> SnapshotValues {
        let c = layer.columns
        let integral = layer.chunks.values.contains { if case .integers = $0.values { return true } else { return false } }
        if integral && layer.chunks.values.allSatisfy({ if case .integers = $0.values { return true } else { return false } }) {
            var out = [Int64](repeating: 0, count: rows * c)
            for chunk in layer.chunks.values {
                guard case .integers(let v) = chunk.values else { continue }
                for (r, id) in chunk.sampleIDs.enumerated() {
                    guard let row = rowOf[id] else { continue }
                    for j in 0..<c { out[row * c + j] = v[r * c + j] }
                }
            }
            return .integers(out)
        }
        var out = [Float](repeating: 0, count: rows * c)
        out.withUnsafeMutableBufferPointer { o in
            for chunk in layer.chunks.values {
                for (r, id) in chunk.sampleIDs.enumerated() {
                    guard let row = rowOf[id] else { continue }
                    chunk.values.copyFloats(from: r * c, into: UnsafeMutableBufferPointer(rebasing: o[(row * c)..<((row + 1) * c)]))
                }
            }
        }
        return .floats(out)
    }
}
