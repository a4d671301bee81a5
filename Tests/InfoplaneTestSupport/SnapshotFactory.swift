import Foundation
import InfoplaneProtocol

/// Builds wire snapshots for tests and the load generator.
public enum SnapshotFactory {
    /// A hidden-layer snapshot of `rows × columns` deterministic F32 values.
    public static func snapshot(step: Int64, layer: String = "layer1", rows: Int = 8, columns: Int = 4,
                                firstID: Int64 = 0, chunkIndex: Int = 0, chunkCount: Int = 1,
                                seed: Float = 0, role: Infoplane_V1_Role = .hidden,
                                split: Infoplane_V1_Split = .probe) -> Infoplane_V1_Snapshot {
        var s = Infoplane_V1_Snapshot()
        s.step = step
        s.layer = layer
        s.role = role
        s.split = split
        s.chunkIndex = UInt32(chunkIndex)
        s.chunkCount = UInt32(chunkCount)
        let values = (0..<(rows * columns)).map { Float($0) * 0.25 + seed }
        s.values = Infoplane_V1_Tensor(floats: values, shape: [rows, columns])
        s.sampleIds = Infoplane_V1_Tensor(int64s: (0..<rows).map { firstID + Int64($0) }, shape: [rows])
        return s
    }
}
