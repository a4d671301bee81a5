import Foundation
import InfoplaneClient
import InfoplaneProtocol

/// One layer of a probe frame as the test builds it: row-major values, `columns` per row.
struct ScenarioLayer: Sendable {
    var name: String
    var role: Infoplane_V1_Role
    var columns: Int
    var floats: [Float] = []
    var integers: [Int64] = []

    static func hidden(_ name: String, columns: Int, _ values: [Float]) -> ScenarioLayer {
        ScenarioLayer(name: name, role: .hidden, columns: columns, floats: values)
    }

    static func inputs(columns: Int, _ values: [Float]) -> ScenarioLayer {
        ScenarioLayer(name: "inputs", role: .input, columns: columns, floats: values)
    }

    static func labels(_ values: [Int64]) -> ScenarioLayer {
        ScenarioLayer(name: "labels", role: .label, columns: 1, integers: values)
    }

    var rows: Int { floats.isEmpty ? integers.count : floats.count / columns }
}

extension InfoplaneSession {
    /// Sends one probe frame, each layer in `chunks` chunks of consecutive rows (one by
    /// default), the layer count announced so the daemon completes the frame on its last
    /// chunk. Sample ids are 0..<rows.
    func sendFrame(step: Int64, split: Infoplane_V1_Split, layers: [ScenarioLayer], chunks: Int = 1) throws {
        for layer in layers {
            let rows = layer.rows
            let perChunk = (rows + chunks - 1) / chunks
            for chunk in 0..<chunks {
                let range = (chunk * perChunk)..<min(rows, (chunk + 1) * perChunk)
                var s = Infoplane_V1_Snapshot()
                s.step = step
                s.epoch = step
                s.split = split
                s.layer = layer.name
                s.role = layer.role
                s.chunkIndex = UInt32(chunk)
                s.chunkCount = UInt32(chunks)
                s.frameLayerCount = UInt32(layers.count)
                s.sampleIds = Infoplane_V1_Tensor(int64s: range.map(Int64.init), shape: [range.count])
                s.values = layer.floats.isEmpty
                    ? Infoplane_V1_Tensor(int64s: Array(layer.integers[range]), shape: [range.count])
                    : Infoplane_V1_Tensor(floats: Array(layer.floats[(range.lowerBound * layer.columns)..<(range.upperBound * layer.columns)]),
                                          shape: [range.count, layer.columns])
                try send(snapshot: s)
            }
        }
    }

    /// Sends training scalars (split TRAIN) at `step`.
    func sendScalars(step: Int64, _ values: [String: Double], split: Infoplane_V1_Split = .train) throws {
        var scalars = Infoplane_V1_Scalars()
        scalars.step = step
        scalars.epoch = step
        scalars.split = split
        scalars.values = values
        try send(scalars: scalars)
    }

    /// Reads server messages until `done()` holds or `timeout` seconds pass; returns whether
    /// it held. Alerts the server pushes are collected in `alerts` on the way.
    @discardableResult
    func receive(until done: () -> Bool, timeout: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !done() {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return false }
            do {
                try receiveOne(timeout: min(left, 0.5))
            } catch InfoplaneClientError.timedOut {
                continue
            }
        }
        return true
    }
}
