import Foundation
import InfoplaneMonitor

/// The counting sink's report: what the daemon received, written as JSON on exit so that
/// tests and the conformance check can compare sessions across clients.
struct SinkReport {
    let sink: CountingSnapshotSink

    struct Tally: Encodable {
        var run: String
        var layer: String
        var split: String
        var step: Int64
        var chunks: Int
        var rows: Int
        var values: Int
        var checksum: String
    }

    struct Scalar: Encodable {
        var run: String
        var step: Int64
        var split: String
        var values: [String: Double]
    }

    struct Body: Encodable {
        var runs: [String]
        var tallies: [Tally]
        var scalars: [Scalar]
        var sessionsEnded: Int
    }

    func write(to path: String) async throws {
        let tallies = await sink.tallies.sorted { $0.key < $1.key }.map { key, t in
            Tally(run: key.run, layer: key.layer, split: key.split.rawValue, step: key.step,
                  chunks: t.chunks, rows: t.rows, values: t.values, checksum: String(t.checksum, radix: 16))
        }
        let scalars = await sink.scalars.map { Scalar(run: $0.run, step: $0.step, split: $0.split.rawValue, values: $0.values) }
            .sorted { ($0.run, $0.step, $0.split) < ($1.run, $1.step, $1.split) }
        let body = Body(runs: await sink.runs.keys.sorted(), tallies: tallies, scalars: scalars, sessionsEnded: await sink.endedSessions)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(body)
        let tmp = path + ".tmp"
        try data.write(to: URL(fileURLWithPath: tmp))
        guard rename(tmp, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}
