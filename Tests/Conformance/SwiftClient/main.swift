// Sends the conformance session (Tests/Conformance/README.md) with the Swift client
// (InfoplaneClient's InfoplaneSession). Usage: conformance-swift-client ADDRESS
import Foundation
import InfoplaneClient
import InfoplaneProtocol

struct RunSpec {
    var name: String
    var index: Int
    var split: Infoplane_V1_Split
    var rows: Int
    var sampleID: (Int) -> Int64
    var steps: [Int64]
}

struct LayerSpec {
    var name: String
    var role: Infoplane_V1_Role
    var dtype: Infoplane_V1_DType
    var features: Int // 0: label vector
    var elementBytes: Int
}

let chunkBytes = 4096
let frameLayers: UInt32 = 6
let runs = [
    RunSpec(name: "conformance-alpha", index: 0, split: .probe, rows: 300, sampleID: { Int64(1000 + 3 * $0) }, steps: [0, 7, 30]),
    RunSpec(name: "conformance-beta", index: 1, split: .validation, rows: 129, sampleID: { Int64(7 + 5 * $0) }, steps: [0, 100]),
]
let layers = [
    LayerSpec(name: "inputs", role: .input, dtype: .f32, features: 12, elementBytes: 4),
    LayerSpec(name: "labels", role: .label, dtype: .i64, features: 0, elementBytes: 8),
    LayerSpec(name: "h1", role: .hidden, dtype: .f32, features: 10, elementBytes: 4),
    LayerSpec(name: "h2", role: .hidden, dtype: .f16, features: 7, elementBytes: 2),
    LayerSpec(name: "h3", role: .hidden, dtype: .bf16, features: 5, elementBytes: 2),
    LayerSpec(name: "out", role: .output, dtype: .f64, features: 2, elementBytes: 8),
]

func value(run: Int, step: Int64, layer: Int, id: Int64, column: Int) -> Double {
    let mixed: Int64 = id * 7 + Int64(column) * 13 + step * 3 + Int64(layer) * 29 + Int64(run) * 11
    return Double(mixed % 255 - 127) / 64
}

/// Little-endian bytes of `values` (the host is little-endian on every supported platform).
func bytes<T>(_ values: [T]) -> Data { values.withUnsafeBytes { Data($0) } }

/// Wire bytes of rows `range` of one layer.
func layerData(_ layer: LayerSpec, layerIndex: Int, run: RunSpec, step: Int64, ids: ArraySlice<Int64>) -> Data {
    if layer.role == .label { return bytes(ids.map { ($0 + step + Int64(run.index)) % 3 }) }
    let numbers = ids.flatMap { id in
        (0..<layer.features).map { value(run: run.index, step: step, layer: layerIndex, id: id, column: $0) }
    }
    switch layer.dtype {
    case .f32: return bytes(numbers.map { Float($0) })
    case .f16: return bytes(numbers.map { Float16($0).bitPattern })
    case .bf16: return bytes(numbers.map { UInt16(Float($0).bitPattern >> 16) }) // exact values: no rounding
    case .f64: return bytes(numbers)
    default: fatalError("no \(layer.dtype) layers in the conformance session")
    }
}

func tensor(shape: [Int], dtype: Infoplane_V1_DType, data: Data) -> Infoplane_V1_Tensor {
    var t = Infoplane_V1_Tensor()
    t.shape = shape.map { UInt32($0) }
    t.dtype = dtype
    t.data = data
    return t
}

func send(run: RunSpec, to address: String) throws {
    let session = try InfoplaneSession(address: address)
    try session.hello(run: run.name, client: "conformance-swift")
    let ids = (0..<run.rows).map(run.sampleID)
    for step in run.steps {
        for (layerIndex, layer) in layers.enumerated() {
            let rowBytes = max(layer.features, 1) * layer.elementBytes
            let perChunk = max(1, chunkBytes / (rowBytes + 8))
            let starts = Array(stride(from: 0, to: run.rows, by: perChunk))
            for (chunkIndex, start) in starts.enumerated() {
                let slice = ids[start..<min(run.rows, start + perChunk)]
                var snapshot = Infoplane_V1_Snapshot()
                snapshot.step = step
                snapshot.epoch = step / 10
                snapshot.split = run.split
                snapshot.layer = layer.name
                snapshot.role = layer.role
                snapshot.sampleIds = tensor(shape: [slice.count], dtype: .i64, data: bytes(Array(slice)))
                snapshot.values = tensor(shape: layer.features == 0 ? [slice.count] : [slice.count, layer.features],
                                         dtype: layer.dtype,
                                         data: layerData(layer, layerIndex: layerIndex, run: run, step: step, ids: slice))
                snapshot.chunkIndex = UInt32(chunkIndex)
                snapshot.chunkCount = UInt32(starts.count)
                snapshot.frameLayerCount = frameLayers
                try session.send(snapshot: snapshot)
            }
        }
        let metrics: [(Infoplane_V1_Split, [String: Double])] = [
            (.train, ["loss": 2.5 - Double(step) / 64, "accuracy": Double(step % 8) / 8]),
            (.validation, ["val_loss": 3 - Double(step) / 128]),
        ]
        for (split, values) in metrics {
            var scalars = Infoplane_V1_Scalars()
            scalars.step = step
            scalars.epoch = step / 10
            scalars.split = split
            scalars.values = values
            try session.send(scalars: scalars)
        }
    }
    try session.drain()
    try session.goodbye(reason: "conformance session done")
    let sent = Int(session.nextSequence) - 3 // Hello and Goodbye are not counted
    print("swift: \(run.name): \(sent) sent, \(session.errors.count) errors")
    if !session.errors.isEmpty {
        throw ConformanceFailure("\(run.name): the daemon refused: \(session.errors.map(\.message))")
    }
}

struct ConformanceFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: conformance-swift-client ADDRESS\n".utf8))
    exit(2)
}
do {
    for run in runs { try send(run: run, to: CommandLine.arguments[1]) }
} catch {
    FileHandle.standardError.write(Data("swift: \(error)\n".utf8))
    exit(1)
}
