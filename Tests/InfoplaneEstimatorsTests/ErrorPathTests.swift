import Foundation
import Testing
@testable import InfoplaneEstimators

private let good = TestData.gaussian(n: 50, d: 2, seed: 1)
private let other = TestData.gaussian(n: 50, d: 2, seed: 2)

private func withValue(_ v: Double) -> Matrix {
    var m = good
    m[3, 1] = v
    return m
}

@Test func nonFiniteValuesAreRejectedByEveryEstimator() throws {
    for bad in [Double.nan, .infinity, -.infinity] {
        let x = withValue(bad)
        let expected = EstimatorError.nonFinite(name: "x", row: 3, column: 1, value: bad)
        #expect(throws: EstimatorError.self) { try KSGEstimator().mutualInformation(x: x, y: other) }
        #expect(throws: EstimatorError.self) { try KozachenkoLeonenkoEstimator().entropy(x) }
        #expect(throws: EstimatorError.self) { try MixedKSGEstimator().mutualInformation(x: x, labels: Array(repeating: 0, count: 50)) }
        #expect(throws: EstimatorError.self) { try BinningEstimator().entropy(x) }
        #expect(throws: EstimatorError.self) { try DiffusionSpectralEntropy().entropy(x) }
        #expect(throws: EstimatorError.self) { try MatrixRenyiEntropy().entropy(x) }
        #expect(throws: EstimatorError.self) { try GaussianMutualInformation().mutualInformation(x: x, y: other) }
        #expect(throws: EstimatorError.self) { try PCA.fit(x, components: 1) }
        if !bad.isNaN {
            #expect(throws: expected) { try KSGEstimator().mutualInformation(x: x, y: other) }
        }
    }
}

@Test func tooFewSamplesForK() {
    let tiny = TestData.gaussian(n: 3, d: 1, seed: 1)
    #expect(throws: EstimatorError.tooFewSamples(n: 3, required: 4, reason: "KSG with k = 3")) {
        try KSGEstimator(k: 3).mutualInformation(x: tiny, y: tiny)
    }
    #expect(throws: EstimatorError.self) { try KozachenkoLeonenkoEstimator(k: 3).entropy(tiny) }
    #expect(throws: EstimatorError.self) { try KSGEstimator(k: 0).mutualInformation(x: good, y: other) }
}

@Test func emptyInputIsRejected() throws {
    let empty = try Matrix(rows: 0, columns: 2, storage: [])
    #expect(throws: EstimatorError.empty("x")) { try KSGEstimator().mutualInformation(x: empty, y: empty) }
    #expect(throws: EstimatorError.empty("x")) { try DiffusionSpectralEntropy().entropy(empty) }
    #expect(throws: EstimatorError.self) { try BinningEstimator().entropy(empty) }
    #expect(throws: EstimatorError.self) { try Matrix(rows: 2, columns: 2, storage: [1]) }
    #expect(throws: EstimatorError.self) { try Matrix([[1, 2], [3]]) }
}

@Test func mismatchedRowsAreRejected() {
    let shorter = TestData.gaussian(n: 40, d: 2, seed: 3)
    #expect(throws: EstimatorError.mismatchedRows(50, 40)) { try KSGEstimator().mutualInformation(x: good, y: shorter) }
    #expect(throws: EstimatorError.mismatchedRows(50, 40)) { try MixedKSGEstimator().mutualInformation(x: good, labels: Array(repeating: 1, count: 40)) }
    #expect(throws: EstimatorError.self) { try GaussianMutualInformation().mutualInformation(x: good, y: shorter) }
    #expect(throws: EstimatorError.self) { try MatrixRenyiEntropy().mutualInformation(x: good, y: shorter) }
    #expect(throws: EstimatorError.self) { try DiffusionSpectralMutualInformation().mutualInformation(x: good, labels: [1, 2]) }
}

@Test func zeroVarianceColumnsAreRejectedWhereTheyMatter() {
    var constant = good
    for r in 0..<50 { constant[r, 0] = 4 }
    #expect(throws: EstimatorError.zeroVariance(name: "x", column: 0)) {
        try KSGEstimator(standardization: .scaleByStandardDeviation).mutualInformation(x: constant, y: other)
    }
    #expect(throws: EstimatorError.zeroVariance(name: "x", column: 0)) {
        try GaussianMutualInformation().mutualInformation(x: constant, y: other)
    }
    // Without standardisation a constant column is legitimate for KSG.
    #expect(throws: Never.self) { try KSGEstimator().mutualInformation(x: constant, y: other) }
}

@Test func degenerateSamplesAndParametersGiveTypedErrors() throws {
    let duplicated = try Matrix(Array(repeating: [1.0, 1.0], count: 10) + [[2, 2], [3, 3]])
    #expect(throws: EstimatorError.self) { try KozachenkoLeonenkoEstimator(k: 3).entropy(duplicated) }
    #expect(throws: EstimatorError.self) { try MixedKSGEstimator().mutualInformation(x: good, labels: Array(0..<50)) }
    #expect(throws: EstimatorError.self) { try DiffusionSpectralEntropy(sigma: 0).entropy(good) }
    #expect(throws: EstimatorError.self) { try DiffusionSpectralEntropy(t: 0).entropy(good) }
    #expect(throws: EstimatorError.self) { try MatrixRenyiEntropy(alpha: -1).entropy(good) }
    #expect(throws: EstimatorError.self) { try RandomProjection(inputDimension: 0, outputDimension: 2, seed: 0) }
    #expect(throws: EstimatorError.self) { try GaussianNoise(sigma: -1, seed: 0).apply(to: good) }
    #expect(throws: EstimatorError.self) {
        try EstimatorCommand(name: "ksg1")!.estimate(x: good)  // no y
    }
}

@Test func errorMessagesSayWhatToDo() {
    #expect(EstimatorError.zeroVariance(name: "x", column: 2).description.contains("drop it"))
    #expect(EstimatorError.tooFewSamples(n: 3, required: 4, reason: "KSG").description.contains("lower k"))
    #expect(EstimatorError.mismatchedRows(3, 4).description.contains("same N"))
}
