/// Counts of distinct binned activation patterns (whole rows of bin indices). Rows are
/// hashed for lookup and compared element by element, so two different patterns are never
/// merged whatever the layer width. Counts are kept per (pattern, label).
struct PatternTable: Sendable {
    let width: Int
    /// Distinct patterns, flat (id × width).
    private(set) var patterns: [UInt16] = []
    /// Hash → first pattern id with that hash; `chain` links ids sharing a hash.
    private var firstWithHash: [UInt64: Int] = [:]
    private var chain: [Int] = []
    /// Count per pattern id, and per (pattern id, label).
    private(set) var counts: [Int] = []
    private(set) var jointCounts: [PatternLabel: Int] = [:]
    private(set) var labelCounts: [Int: Int] = [:]
    private(set) var total = 0

    struct PatternLabel: Hashable, Sendable {
        let pattern: Int
        let label: Int
    }

    init(width: Int) { self.width = width }

    static func hash(_ row: UnsafeBufferPointer<UInt16>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for v in row {
            h = (h ^ UInt64(v)) &* 0x0000_0100_0000_01B3
            h ^= h >> 29
        }
        return h
    }

    /// Adds one pattern (with its label, if any) and returns its id.
    @discardableResult
    mutating func add(_ row: UnsafeBufferPointer<UInt16>, label: Int?) -> Int {
        add(row, hash: PatternTable.hash(row), label: label)
    }

    /// Adds one pattern whose `hash` was computed with `PatternTable.hash`.
    @discardableResult
    mutating func add(_ row: UnsafeBufferPointer<UInt16>, hash h: UInt64, label: Int?) -> Int {
        var id = firstWithHash[h] ?? -1
        while id >= 0 {
            let base = id * width
            var equal = true
            for c in 0..<width where patterns[base + c] != row[c] { equal = false; break }
            if equal { break }
            id = chain[id]
        }
        if id < 0 {
            id = counts.count
            patterns.append(contentsOf: row)
            counts.append(0)
            chain.append(firstWithHash[h] ?? -1)
            firstWithHash[h] = id
        }
        counts[id] += 1
        total += 1
        if let label {
            jointCounts[PatternLabel(pattern: id, label: label), default: 0] += 1
            labelCounts[label, default: 0] += 1
        }
        return id
    }

    var distinctPatterns: Int { counts.count }

    /// Plug-in entropy in nats of a count vector, summed in sorted order so that the result
    /// does not depend on the order in which samples arrived: H = log N − Σ c log c / N.
    static func entropy<C: Collection<Int>>(ofCounts counts: C) -> Double {
        let sorted = counts.filter { $0 > 0 }.sorted()
        let n = Double(sorted.reduce(0, +))
        guard n > 0 else { return 0 }
        var s = 0.0
        for c in sorted { let v = Double(c); s += v * _log(v) }
        return _log(n) - s / n
    }
}

import Foundation
@inline(__always) private func _log(_ x: Double) -> Double { log(x) }
