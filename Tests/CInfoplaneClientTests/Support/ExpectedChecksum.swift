import InfoplaneDaemon
import InfoplaneMonitor

/// The checksum the daemon's counting sink reports for a layer, computed with the sink's
/// own function from the values as the daemon decodes them (floats widened/narrowed to
/// Float, integers to Int64). Chunking and row order do not change it.
enum ExpectedChecksum {
    static func floats(_ values: [Float], ids: [Int64], columns: Int) -> String {
        hex(.floats(values), ids: ids, columns: columns)
    }

    static func integers(_ values: [Int64], ids: [Int64]) -> String {
        hex(.integers(values), ids: ids, columns: 1)
    }

    private static func hex(_ values: SnapshotValues, ids: [Int64], columns: Int) -> String {
        let snapshot = ProbeSnapshot(run: "", step: 0, epoch: -1, split: .probe, layer: "", role: .hidden,
                                     sampleIDs: ids, columns: columns, values: values)
        return String(CountingSnapshotSink.checksum(snapshot), radix: 16)
    }
}
