import InfoplaneEstimators
import Synchronization

/// Binning as the chunks arrive: for runs whose bins are fixed in advance
/// (`bin_range = "fixed"`), each chunk of a watched layer is turned into bin indices and
/// row hashes (`BinnedRows`, the O(rows × units) part of binning) on a background task
/// as soon as the ingest server accepts it, while the rest of the frame is still on its
/// way. When the frame is estimated, its binning pair takes those rows (in the frame's
/// sample order, with the labels) and only counts them — the same counts, hence the same
/// values, as binning the whole layer then. Layers whose chunks are not all binned yet, or
/// whose ids do not cover the frame, fall back to binning at estimation.
///
/// Memory is bounded: entries are removed when their frame is estimated or dropped, and at
/// most `capacity` layers of frames are kept (the oldest go first).
public final class StreamingBinning: Sendable {
    struct Key: Hashable, Sendable {
        var frame: FrameKey
        var layer: String
    }

    struct Entry: Sendable {
        var chunkCount: Int
        var chunks: [Int: (ids: [Int64], rows: BinnedRows)] = [:]
        var sequence: Int
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var sequence = 0
        var chunksBinned = 0
        var rowsUsed = 0
    }

    private let state = Mutex(State())
    let capacity: Int

    public init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// The edges a fixed-range run bins `columns` units with, or nil when the run's bins
    /// depend on the data (`observed`, `running`) or it wants no binning estimate.
    static func fixedEdges(_ estimation: EstimationConfiguration, columns: Int) -> BinEdges? {
        guard estimation.binRange == .fixed,
              estimation.estimators.contains(where: { $0 == .binningInputInformation || $0 == .binningLabelInformation }) else { return nil }
        return try? BinEdges.fixed(lower: estimation.binLower, upper: estimation.binUpper, bins: estimation.bins, units: columns)
    }

    /// Bins one accepted chunk in the background (returns at once).
    func bin(_ snapshot: ProbeSnapshot, edges: BinEdges) {
        let values = snapshot.values
        guard snapshot.role == .hidden || snapshot.role == .output else { return }
        if case .integers = values { return }
        let key = Key(frame: FrameKey(run: snapshot.run, step: snapshot.step, split: snapshot.split), layer: snapshot.layer)
        let ids = snapshot.sampleIDs, columns = snapshot.columns
        let (chunkIndex, chunkCount) = (snapshot.chunkIndex, snapshot.chunkCount)
        Task.detached(priority: .medium) { [self] in
            guard let matrix = try? Matrix(rows: ids.count, columns: columns, storage: values.doubles()),
                  let rows = try? BinnedRows(binning: matrix, edges: edges) else { return }
            self.record(key, chunkIndex: chunkIndex, chunkCount: chunkCount, ids: ids, rows: rows)
        }
    }

    private func record(_ key: Key, chunkIndex: Int, chunkCount: Int, ids: [Int64], rows: BinnedRows) {
        state.withLock { s in
            s.sequence += 1
            var entry = s.entries[key] ?? Entry(chunkCount: chunkCount, sequence: s.sequence)
            guard entry.chunkCount == chunkCount else { return }
            entry.chunks[chunkIndex] = (ids, rows)
            s.entries[key] = entry
            s.chunksBinned += 1
            if s.entries.count > capacity, let oldest = s.entries.min(by: { $0.value.sequence < $1.value.sequence })?.key {
                s.entries[oldest] = nil
            }
        }
    }

    /// The frame's rows of `layer`, binned beforehand, in the order of `sampleIDs` — nil
    /// when not every chunk is binned with `edges` or the ids differ. The entry is removed.
    func take(frame: FrameKey, layer: String, sampleIDs: [Int64], edges: BinEdges) -> BinnedRows? {
        let entry = state.withLock { $0.entries.removeValue(forKey: Key(frame: frame, layer: layer)) }
        guard let entry, entry.chunks.count == entry.chunkCount else { return nil }
        let parts = (0..<entry.chunkCount).compactMap { entry.chunks[$0] }
        guard parts.count == entry.chunkCount, parts.allSatisfy({ $0.rows.edges == edges }) else { return nil }
        var position: [Int64: (part: Int, row: Int)] = [:]
        position.reserveCapacity(sampleIDs.count)
        for (part, chunk) in parts.enumerated() {
            for (row, id) in chunk.ids.enumerated() { position[id] = (part, row) }
        }
        guard position.count == sampleIDs.count else { return nil }
        var picks: [(part: Int, row: Int)] = []
        picks.reserveCapacity(sampleIDs.count)
        for id in sampleIDs {
            guard let pick = position[id] else { return nil }
            picks.append(pick)
        }
        state.withLock { $0.rowsUsed += sampleIDs.count }
        return BinnedRows.gathering(parts.map(\.rows), picks, edges: edges)
    }

    /// Forgets every layer of `frame` (estimated without them, or dropped).
    func discard(frame: FrameKey) {
        state.withLock { s in s.entries = s.entries.filter { $0.key.frame != frame } }
    }

    /// Chunks binned on arrival so far, and rows whose binning was taken from them.
    public var figures: (chunksBinned: Int, rowsUsed: Int) {
        state.withLock { ($0.chunksBinned, $0.rowsUsed) }
    }
}
