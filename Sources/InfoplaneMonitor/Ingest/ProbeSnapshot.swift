/// Which part of the data a snapshot or scalar was evaluated on.
public enum ProbeSplit: String, Sendable, Hashable, CaseIterable, Codable {
    case train, validation, probe
}

/// What a snapshot's values are.
public enum LayerRole: String, Sendable, Hashable, CaseIterable, Codable {
    case input, hidden, output, label
}

/// The values of a snapshot, decoded from the wire into contiguous storage.
///
/// Floating-point tensors (F16, BF16, F32, F64) become `Float` (activations are
/// single-precision in practice; estimators widen to `Double` where they need it).
/// Integer tensors (I32, I64: class labels) become `Int64`. Large F32 snapshots stay in
/// the bytes the server received them in (`float32Bytes`) until the monitor lays out the
/// frame.
public enum SnapshotValues: Sendable {
    case floats([Float])
    /// F32 values left where the ingest server received them, already checked finite.
    case float32Bytes(Float32Bytes)
    case integers([Int64])

    public var count: Int {
        switch self {
        case .floats(let v): return v.count
        case .float32Bytes(let v): return v.count
        case .integers(let v): return v.count
        }
    }

    /// The values as `Double`, row-major (integers converted).
    public func doubles() -> [Double] {
        switch self {
        case .floats(let v): return v.map(Double.init)
        case .float32Bytes(let v): return (0..<v.count).map { Double(v[$0]) }
        case .integers(let v): return v.map(Double.init)
        }
    }

    /// Writes values `start ..< start + destination.count` into `destination` as `Float`
    /// (integers converted).
    public func copyFloats(from start: Int, into destination: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .floats(let v):
            v.withUnsafeBufferPointer { s in
                _ = destination.initialize(from: UnsafeBufferPointer(rebasing: s[start..<(start + destination.count)]))
            }
        case .float32Bytes(let v):
            v.copy(from: start, length: destination.count, into: destination)
        case .integers(let v):
            for j in 0..<destination.count { destination[j] = Float(v[start + j]) }
        }
    }
}

extension SnapshotValues: Equatable {
    /// Float values compare as floats however they are held.
    public static func == (lhs: SnapshotValues, rhs: SnapshotValues) -> Bool {
        switch (lhs, rhs) {
        case (.integers(let l), .integers(let r)): return l == r
        case (.integers, _), (_, .integers): return false
        case (.float32Bytes(let l), .float32Bytes(let r)): return l == r
        default:
            guard lhs.count == rhs.count else { return false }
            var l = [Float](repeating: 0, count: lhs.count), r = l
            l.withUnsafeMutableBufferPointer { lhs.copyFloats(from: 0, into: $0) }
            r.withUnsafeMutableBufferPointer { rhs.copyFloats(from: 0, into: $0) }
            return l == r
        }
    }
}

/// One validated snapshot (or one chunk of it): the values of one layer for a set of probe
/// samples at one training step. Produced by the ingest server's validator, the one place a
/// chunk is checked (each fault with the error code its client is told); consumed by the
/// monitor, which assembles the snapshots of one (run, step, split) into a probe frame and
/// relies on the shape being well formed (`isWellFormed`, asserted in debug builds).
public struct ProbeSnapshot: Sendable, Equatable {
    /// Run name, as given in the session's Hello.
    public var run: String
    public var step: Int64
    public var epoch: Int64
    public var split: ProbeSplit
    public var layer: String
    public var role: LayerRole
    /// One id per row, unique within the frame.
    public var sampleIDs: [Int64]
    /// Features per row (the product of every dimension after the first).
    public var columns: Int
    /// Row-major `sampleIDs.count × columns` values.
    public var values: SnapshotValues
    public var chunkIndex: Int
    public var chunkCount: Int
    /// Number of distinct layers (all roles) making up the frame; 0 when unknown.
    public var frameLayerCount: Int

    public var rows: Int { sampleIDs.count }

    public init(run: String, step: Int64, epoch: Int64, split: ProbeSplit, layer: String,
                role: LayerRole, sampleIDs: [Int64], columns: Int, values: SnapshotValues,
                chunkIndex: Int = 0, chunkCount: Int = 1, frameLayerCount: Int = 0) {
        self.run = run
        self.step = step
        self.epoch = epoch
        self.split = split
        self.layer = layer
        self.role = role
        self.sampleIDs = sampleIDs
        self.columns = columns
        self.values = values
        self.chunkIndex = chunkIndex
        self.chunkCount = chunkCount
        self.frameLayerCount = frameLayerCount
        assert(isWellFormed, "a snapshot must be well formed (see isWellFormed); the ingest server validates them")
    }

    /// The shape the validator guarantees: the chunk index is in `0..<chunkCount`, at least
    /// one row and one column, `rows × columns` values, one distinct id per row, and a layer
    /// count that is not negative.
    public var isWellFormed: Bool {
        chunkCount >= 1 && chunkIndex >= 0 && chunkIndex < chunkCount && rows > 0 && columns > 0
            && values.count == rows * columns && frameLayerCount >= 0 && Set(sampleIDs).count == rows
    }
}

/// Scalar training metrics at one step (loss, accuracy, validation loss, ...).
public struct ScalarRecord: Sendable, Equatable {
    public var run: String
    public var step: Int64
    public var epoch: Int64
    public var split: ProbeSplit
    public var values: [String: Double]

    public init(run: String, step: Int64, epoch: Int64, split: ProbeSplit, values: [String: Double]) {
        self.run = run
        self.step = step
        self.epoch = epoch
        self.split = split
        self.values = values
    }
}

/// What a client declared about its run in Hello.
public struct RunDescriptor: Sendable, Equatable {
    public var name: String
    public var clientName: String
    public var metadata: [String: String]
    /// Per-run estimation options, as sent (estimator names and parameters; empty: defaults).
    public var options: [String: String]

    public init(name: String, clientName: String, metadata: [String: String] = [:], options: [String: String] = [:]) {
        self.name = name
        self.clientName = clientName
        self.metadata = metadata
        self.options = options
    }
}
