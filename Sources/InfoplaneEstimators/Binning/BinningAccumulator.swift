/// Incremental binning estimator: samples arrive in chunks, pattern counts update as they
/// come, and the entropies read at any point equal the one-shot estimate on the same rows
/// exactly (counts are integers and the entropy sums them in sorted order).
///   H(T) = −Σ_t p(t) log p(t) over distinct binned rows; I(X;T) = H(T) for a deterministic
///   network on distinct inputs (Shwartz-Ziv & Tishby 2017); I(T;Y) = H(T) − H(T|Y)
///   = H(T) + H(Y) − H(T,Y).
public struct BinningAccumulator: Sendable {
    public let edges: BinEdges
    private var table: PatternTable
    private var labelled: Bool?

    public init(edges: BinEdges) {
        self.edges = edges
        self.table = PatternTable(width: edges.units)
    }

    /// Number of rows added so far.
    public var count: Int { table.total }
    /// Number of distinct binned patterns seen.
    public var distinctPatterns: Int { table.distinctPatterns }

    /// Adds the rows of `chunk` (with their labels when I(T;Y) is wanted). Either every
    /// chunk has labels or none has.
    public mutating func add(_ chunk: Matrix, labels: [Int]? = nil) throws(EstimatorError) {
        try add(BinnedRows(binning: chunk, edges: edges), labels: labels)
    }

    /// Adds rows binned beforehand (`BinnedRows`, e.g. on another thread as they arrived)
    /// with the same edges: the counts equal those of `add(_:labels:)` on the raw rows.
    public mutating func add(_ binned: BinnedRows, labels: [Int]? = nil) throws(EstimatorError) {
        guard binned.edges == edges else {
            throw .invalidParameter("rows binned with other edges than this accumulator's")
        }
        if binned.rows == 0 { return }
        if let labels, labels.count != binned.rows { throw .mismatchedRows(binned.rows, labels.count) }
        if let wasLabelled = labelled, wasLabelled != (labels != nil) {
            throw .invalidParameter("mix of labelled and unlabelled chunks: give labels with every chunk or with none")
        }
        labelled = labels != nil
        let width = edges.units
        binned.codes.withUnsafeBufferPointer { all in
            for r in 0..<binned.rows {
                let row = UnsafeBufferPointer(rebasing: all[(r * width)..<((r + 1) * width)])
                table.add(row, hash: binned.hashes[r], label: labels?[r])
            }
        }
    }
}

/// Rows of a layer turned into bin indices (one `UInt16` per unit, row-major) and a 64-bit
/// hash per row: the expensive, parallel half of binning, which can run as soon as a chunk
/// arrives; `BinningAccumulator.add(_:labels:)` does the counting.
public struct BinnedRows: Sendable {
    public let edges: BinEdges
    public let rows: Int
    public let codes: [UInt16]
    public let hashes: [UInt64]

    public init(binning chunk: Matrix, edges: BinEdges) throws(EstimatorError) {
        guard chunk.columns == edges.units else {
            throw .shapeMismatch("chunk has \(chunk.columns) units, edges were fitted for \(edges.units)")
        }
        if chunk.rows > 0 { try chunk.validate(name: "activations") }
        let width = edges.units, n = chunk.rows
        var codes = [UInt16](repeating: 0, count: n * width)
        var hashes = [UInt64](repeating: 0, count: n)
        edges.interior.withUnsafeBufferPointer { e in
            chunk.storage.withUnsafeBufferPointer { values in
                codes.withUnsafeMutableBufferPointer { codeBuffer in
                    hashes.withUnsafeMutableBufferPointer { hashBuffer in
                        let out = SharedBuffer(pointer: codeBuffer.baseAddress!)
                        let hashOut = SharedBuffer(pointer: hashBuffer.baseAddress!)
                        parallelChunks(count: n, minimumChunk: 32) { rows in
                            for r in rows {
                                for c in 0..<width { out[r * width + c] = edges.index(values[r * width + c], unit: c, e) }
                                hashOut[r] = PatternTable.hash(UnsafeBufferPointer(start: out.pointer + r * width, count: width))
                            }
                        }
                    }
                }
            }
        }
        self.edges = edges
        self.rows = n
        self.codes = codes
        self.hashes = hashes
    }

    /// Rows picked from several row sets binned with the same edges, in the order given:
    /// `(part, row)` is row `row` of `parts[part]`. One copy of each picked row.
    public static func gathering(_ parts: [BinnedRows], _ picks: [(part: Int, row: Int)], edges: BinEdges) -> BinnedRows {
        let width = edges.units
        var codes = [UInt16](repeating: 0, count: picks.count * width)
        var hashes = [UInt64](repeating: 0, count: picks.count)
        for (i, pick) in picks.enumerated() {
            let source = parts[pick.part]
            for c in 0..<width { codes[i * width + c] = source.codes[pick.row * width + c] }
            hashes[i] = source.hashes[pick.row]
        }
        return BinnedRows(edges: edges, rows: picks.count, codes: codes, hashes: hashes)
    }

    private init(edges: BinEdges, rows: Int, codes: [UInt16], hashes: [UInt64]) {
        self.edges = edges
        self.rows = rows
        self.codes = codes
        self.hashes = hashes
    }
}

extension BinningAccumulator {
    /// True when every row has a bin pattern of its own: then H(T) = log N, the most N
    /// samples can show, and I(T;Y) = H(Y), whatever the layer does. Such an estimate only
    /// says that the bins separate every sample (the layer is too wide or the bins too fine
    /// for N; any estimate from N samples is bounded by about log N: McAllester & Stratos,
    /// "Formal limitations on the measurement of mutual information", AISTATS 2020).
    public var isSaturated: Bool { table.total > 1 && table.distinctPatterns == table.total }

    /// H(T) of the binned rows (= I(X;T) for distinct inputs).
    public func entropy(units: InformationUnit = .nats) throws(EstimatorError) -> Estimate {
        guard table.total > 0 else { throw .empty("activations") }
        let h = PatternTable.entropy(ofCounts: table.counts)
        return Estimate(value: InformationUnit.nats.convert(h, to: units), units: units, n: table.total, d: edges.units,
                        saturated: isSaturated)
    }

    /// I(T;Y) = H(T) − H(T|Y); requires labelled chunks.
    public func mutualInformation(units: InformationUnit = .nats) throws(EstimatorError) -> Estimate {
        guard table.total > 0 else { throw .empty("activations") }
        guard labelled == true else { throw .invalidParameter("I(T;Y) needs labels: add chunks with labels") }
        let value = PatternTable.entropy(ofCounts: table.counts) + PatternTable.entropy(ofCounts: table.labelCounts.values)
            - PatternTable.entropy(ofCounts: table.jointCounts.values)
        return Estimate(value: InformationUnit.nats.convert(value, to: units), units: units, n: table.total, d: edges.units,
                        saturated: isSaturated)
    }
}
