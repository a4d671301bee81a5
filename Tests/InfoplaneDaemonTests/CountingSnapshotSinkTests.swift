import Testing
@testable import InfoplaneDaemon
import InfoplaneMonitor

@Suite struct CountingSnapshotSinkTests {
    func snapshot(ids: [Int64], values: [Float], chunk: Int = 0) -> ProbeSnapshot {
        ProbeSnapshot(run: "r", step: 10, epoch: 1, split: .probe, layer: "l1", role: .hidden,
                      sampleIDs: ids, columns: values.count / ids.count, values: .floats(values),
                      chunkIndex: chunk, chunkCount: 2)
    }

    @Test func checksumIgnoresChunkingAndRowOrder() async throws {
        let whole = snapshot(ids: [1, 2, 3], values: [1, 2, 3, 4, 5, 6])
        let a = snapshot(ids: [3, 1], values: [5, 6, 1, 2], chunk: 0)
        let b = snapshot(ids: [2], values: [3, 4], chunk: 1)
        #expect(CountingSnapshotSink.checksum(whole) == CountingSnapshotSink.checksum(a) &+ CountingSnapshotSink.checksum(b))
        let changed = snapshot(ids: [1, 2, 3], values: [1, 2, 3, 4, 5, 7])
        #expect(CountingSnapshotSink.checksum(whole) != CountingSnapshotSink.checksum(changed))
    }

    @Test func countsPerKey() async throws {
        let sink = CountingSnapshotSink()
        try await sink.accept(snapshot(ids: [3, 1], values: [5, 6, 1, 2], chunk: 0))
        try await sink.accept(snapshot(ids: [2], values: [3, 4], chunk: 1))
        let tally = await sink.tallies[.init(run: "r", layer: "l1", split: .probe, step: 10)]
        #expect(tally?.chunks == 2)
        #expect(tally?.rows == 3)
        #expect(tally?.values == 6)
    }
}
