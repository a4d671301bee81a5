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
        guard chunk.columns == edges.units else {
            throw .shapeMismatch("chunk has \(chunk.columns) units, edges were fitted for \(edges.units)")
        }
        if chunk.rows == 0 { return }
        try chunk.validate(name: "activations")
        if let labels, labels.count != chunk.rows { throw .mismatchedRows(chunk.rows, labels.count) }
        if let wasLabelled = labelled, wasLabelled != (labels != nil) {
            throw .invalidParameter("mix of labelled and unlabelled chunks: give labels with every chunk or with none")
        }
        labelled = labels != nil
        let width = edges.units, n = chunk.rows
        // Bin indices and row hashes in parallel; counting stays sequential (row order).
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
        codes.withUnsafeBufferPointer { all in
            for r in 0..<n {
                let row = UnsafeBufferPointer(rebasing: all[(r * width)..<((r + 1) * width)])
                table.add(row, hash: hashes[r], label: labels?[r])
            }
        }
    }

    /// H(T) of the binned rows (= I(X;T) for distinct inputs).
    public func entropy(units: InformationUnit = .nats) throws(EstimatorError) -> Estimate {
        guard table.total > 0 else { throw .empty("activations") }
        let h = PatternTable.entropy(ofCounts: table.counts)
        return Estimate(value: InformationUnit.nats.convert(h, to: units), units: units, n: table.total, d: edges.units)
    }

    /// I(T;Y) = H(T) − H(T|Y); requires labelled chunks.
    public func mutualInformation(units: InformationUnit = .nats) throws(EstimatorError) -> Estimate {
        guard table.total > 0 else { throw .empty("activations") }
        guard labelled == true else { throw .invalidParameter("I(T;Y) needs labels: add chunks with labels") }
        let value = PatternTable.entropy(ofCounts: table.counts) + PatternTable.entropy(ofCounts: table.labelCounts.values)
            - PatternTable.entropy(ofCounts: table.jointCounts.values)
        return Estimate(value: InformationUnit.nats.convert(value, to: units), units: units, n: table.total, d: edges.units)
    }
}
