import InfoplaneEstimators

extension BinnedRows {
    /// A watched layer's chunk as bin indices and row hashes: the O(rows × units) part of
    /// binning, done as chunks arrive while the rest of the frame is on its way. Nil for X,
    /// Y, integer values or values the edges do not fit.
    init?(chunk s: ProbeSnapshot, edges: BinEdges) {
        guard s.role == .hidden || s.role == .output else { return nil }
        if case .integers = s.values { return nil }
        guard let matrix = try? Matrix(rows: s.rows, columns: s.columns, storage: s.values.doubles()),
              let rows = try? BinnedRows(binning: matrix, edges: edges) else { return nil }
        self = rows
    }
}
