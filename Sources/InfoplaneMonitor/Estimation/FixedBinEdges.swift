import InfoplaneEstimators

/// Binning as the chunks arrive: for runs whose bins are fixed in advance
/// (`bin_range = "fixed"`), each chunk of a watched layer is turned into bin indices and row
/// hashes (`BinnedRows`, the O(rows × units) part of binning) when the assembler records it
/// in its pending frame, while the rest of the frame is still on its way. The assembled
/// layer carries those rows in the frame's sample order (`FrameLayer.binned`), so the
/// binning pair only counts them: the same counts, hence the same values, as binning the
/// whole layer at estimation. The binned rows live and die with the frame they belong to.
extension EstimationConfiguration {
    /// The edges a fixed-range run bins `columns` units with, or nil when the run's bins
    /// depend on the data (`observed`, `running`) or it wants no binning estimate.
    func fixedBinEdges(columns: Int) -> BinEdges? {
        guard binRange == .fixed,
              estimators.contains(where: { $0 == .binningInputInformation || $0 == .binningLabelInformation }) else {
            return nil
        }
        return try? BinEdges.fixed(lower: binLower, upper: binUpper, bins: bins, units: columns)
    }
}
