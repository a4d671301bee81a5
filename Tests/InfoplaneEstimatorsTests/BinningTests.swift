import Foundation
import Testing
@testable import InfoplaneEstimators

/// Entropies of known discrete patterns, exact up to the last bits of the logarithms.
@Test func binningEntropyOfKnownPatternsIsExact() throws {
    // Four patterns with counts 4, 2, 1, 1 (values at bin centres of [−1, 1] with 2 bins):
    // H = −(½ log ½ + ¼ log ¼ + 2 · ⅛ log ⅛) = 1.75 bits.
    let rows: [[Double]] = [[-0.5, -0.5]] * 4 + [[-0.5, 0.5]] * 2 + [[0.5, -0.5], [0.5, 0.5]]
    let est = try BinningEstimator(bins: 2).entropy(try Matrix(rows), units: .bits)
    #expect(abs(est.value - 1.75) <= 4 * Double.ulpOfOne * 1.75)
    #expect(est.n == 8 && est.d == 2)
}

@Test func binningMutualInformationOfADeterministicLabelIsTheLabelEntropy() throws {
    // T determines Y: I(T;Y) = H(Y) = 1 bit for balanced labels; Y independent of T: 0.
    let rows: [[Double]] = [[-0.9, 0.1], [-0.9, 0.1], [0.9, 0.1], [0.9, 0.1]]
    let estimator = BinningEstimator(bins: 30)
    let determined = try estimator.mutualInformation(try Matrix(rows), labels: [0, 0, 1, 1], units: .bits)
    #expect(abs(determined.value - 1) < 1e-15)
    let independent = try estimator.mutualInformation(try Matrix(rows), labels: [0, 1, 0, 1], units: .bits)
    #expect(abs(independent.value) < 1e-15)
}

@Test func wideLayersNeverMergeDistinctPatterns() throws {
    // 2000 units, 300 rows, each row differs from row 0 in exactly one unit: 300 distinct patterns.
    let width = 2000
    var storage = [Double](repeating: -0.99, count: 300 * width)
    for r in 1..<300 { storage[r * width + (r * 7) % width] = 0.99 }
    let layer = try Matrix(rows: 300, columns: width, storage: storage)
    var accumulator = BinningAccumulator(edges: try BinningEstimator().fit(layer))
    try accumulator.add(layer)
    #expect(accumulator.distinctPatterns == 300)
    #expect(abs(try accumulator.entropy(units: .bits).value - log2(300)) < 1e-12)
}

@Test func binEdgesFollowTheNumpyConvention() throws {
    let edges = try BinEdges.fixed(lower: -1, upper: 1, bins: 4, units: 1)
    #expect(edges.interior == [-0.5, 0, 0.5])
    let values: [Double] = [-2, -1, -0.5, -0.49, 0, 0.5, 1, 3]
    let expected: [UInt16] = [0, 0, 1, 1, 2, 3, 3, 3]
    edges.interior.withUnsafeBufferPointer { e in
        for (v, b) in zip(values, expected) { #expect(edges.index(v, unit: 0, e) == b, "\(v)") }
    }
    // Adaptive: per unit, e_j = sorted[⌊j N / bins⌋].
    let column = try Matrix([[5], [1], [4], [2], [3], [0]])
    let adaptive = try BinEdges.fit(column, bins: 3, scheme: .adaptive)
    #expect(adaptive.interior == [2, 4])
    let observed = try BinEdges.fit(try Matrix([[0, 10], [5, 2]]), bins: 5, scheme: .observed)
    #expect(observed.interior == [2, 4, 6, 8])
}

@Test(arguments: [BinningScheme.fixed(lower: -1, upper: 1), .observed, .adaptive])
func incrementalBinningEqualsOneShot(scheme: BinningScheme) throws {
    let layer = TestData.gaussian(n: 1000, d: 6, seed: 99).map { tanh($0) }
    var g = SeededGenerator(seed: 5)
    let labels = (0..<1000).map { _ in Int(g.next() % 3) }
    let estimator = BinningEstimator(bins: 8, scheme: scheme)
    let oneShotH = try estimator.entropy(layer).value
    let oneShotI = try estimator.mutualInformation(layer, labels: labels).value
    let edges = try estimator.fit(layer)
    for chunkSize in [1, 7, 128, 999] {
        var accumulator = BinningAccumulator(edges: edges)
        // Chunks in reverse order: the counts, and so the entropies, must not depend on order.
        let starts = Array(stride(from: 0, to: 1000, by: chunkSize)).reversed()
        for start in starts {
            let rows = Array(start..<min(start + chunkSize, 1000))
            try accumulator.add(layer.selectingRows(rows), labels: rows.map { labels[$0] })
        }
        #expect(try accumulator.entropy().value == oneShotH, "chunk \(chunkSize)")
        #expect(try accumulator.mutualInformation().value == oneShotI, "chunk \(chunkSize)")
        #expect(accumulator.count == 1000)
    }
}

@Test func binningRejectsBadInput() throws {
    #expect(throws: EstimatorError.self) { try BinningEstimator(bins: 0).entropy(TestData.gaussian(n: 10, d: 2, seed: 1)) }
    #expect(throws: EstimatorError.self) {
        try BinningEstimator(scheme: .fixed(lower: 1, upper: -1)).entropy(TestData.gaussian(n: 10, d: 2, seed: 1))
    }
    var accumulator = BinningAccumulator(edges: try BinEdges.fixed(lower: -1, upper: 1, bins: 30, units: 3))
    #expect(throws: EstimatorError.shapeMismatch("chunk has 2 units, edges were fitted for 3")) {
        try accumulator.add(TestData.gaussian(n: 10, d: 2, seed: 1))
    }
    #expect(throws: EstimatorError.self) { try accumulator.entropy() }
    try accumulator.add(TestData.gaussian(n: 10, d: 3, seed: 1))
    #expect(throws: EstimatorError.self) { try accumulator.mutualInformation() }
    #expect(throws: EstimatorError.self) { try accumulator.add(TestData.gaussian(n: 10, d: 3, seed: 2), labels: Array(0..<10)) }
}

private func * (rows: [[Double]], count: Int) -> [[Double]] { Array(repeating: rows, count: count).flatMap { $0 } }

/// The arithmetic first guess for equal-width edges must agree with a plain count of
/// interior edges <= value everywhere, edges themselves included.
@Test func fastBinIndexEqualsCountingEdges() throws {
    var g = SeededGenerator(seed: 17)
    for (lower, upper, bins) in [(-1.0, 1.0, 30), (0.0, 7.3, 29), (-1e-3, 5e-4, 100), (-3.0, 3.0, 3)] {
        let edges = try BinEdges.fixed(lower: lower, upper: upper, bins: bins, units: 1)
        var values = edges.interior + edges.interior.map { $0.nextDown } + edges.interior.map { $0.nextUp }
        values += (0..<2000).map { _ in lower - 0.2 * (upper - lower) + 1.4 * (upper - lower) * g.nextUniform() }
        edges.interior.withUnsafeBufferPointer { e in
            for v in values {
                let expected = edges.interior.filter { $0 <= v }.count
                #expect(Int(edges.index(v, unit: 0, e)) == expected, "\(v) in [\(lower), \(upper)] / \(bins)")
            }
        }
    }
}

/// Every row in a pattern of its own: H(T) = log₂ N and I(T;Y) = H(Y) whatever the layer,
/// and both estimates say so. One repeated pattern is enough to lift the flag.
@Test func everyRowInItsOwnPatternIsSaturated() throws {
    var generator = SeededGenerator(seed: 3)
    let n = 256, width = 64
    let wide = try Matrix(rows: n, columns: width, storage: (0..<(n * width)).map { _ in generator.nextUniform() * 2 - 1 })
    let labels = (0..<n).map { $0 % 4 }
    let estimator = BinningEstimator(bins: 30)
    let entropy = try estimator.entropy(wide, units: .bits)
    #expect(entropy.saturated)
    #expect(abs(entropy.value - log2(Double(n))) < 1e-12)
    let information = try estimator.mutualInformation(wide, labels: labels, units: .bits)
    #expect(information.saturated)
    #expect(abs(information.value - 2) < 1e-12, "H(Y) of four balanced labels")
    #expect(information.converted(to: .nats).saturated)

    var storage = wide.storage
    for c in 0..<width { storage[width + c] = storage[c] }  // row 1 repeats row 0
    let repeated = try Matrix(rows: n, columns: width, storage: storage)
    #expect(try !estimator.entropy(repeated).saturated)
    #expect(try !estimator.mutualInformation(repeated, labels: labels).saturated)
    // A narrow layer with few patterns is far from its ceiling.
    let narrow = wide.map { $0 > 0 ? 0.5 : -0.5 }.selectingColumns([0, 1, 2])
    #expect(try !estimator.entropy(narrow).saturated)
}
