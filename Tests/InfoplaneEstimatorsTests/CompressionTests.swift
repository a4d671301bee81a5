import Foundation
import Testing
@testable import InfoplaneEstimators

@Test func pcaReconstructsFullRankDataExactly() throws {
    let x = TestData.gaussian(n: 300, d: 5, seed: 1).map { $0 * 3 + 1 }
    let pca = try PCA.fit(x, components: 5)
    let back = try pca.inverseTransform(pca.transform(x))
    for (a, b) in zip(back.storage, x.storage) { #expect(abs(a - b) < 1e-10) }
    #expect(abs(pca.explainedVarianceRatio.reduce(0, +) - 1) < 1e-12)
    #expect(zip(pca.explainedVariance, pca.explainedVariance.dropFirst()).allSatisfy { $0 >= $1 })
}

@Test func pcaReconstructsLowRankDataFromItsRank() throws {
    // 6-D data on a 2-D plane plus an offset: 2 components reconstruct it, explain ~100 %.
    let z = TestData.gaussian(n: 400, d: 2, seed: 2)
    let mixing = TestData.gaussian(n: 2, d: 6, seed: 3)
    var storage = [Double](repeating: 0, count: 400 * 6)
    for i in 0..<400 { for c in 0..<6 { storage[i * 6 + c] = z[i, 0] * mixing[0, c] + z[i, 1] * mixing[1, c] + Double(c) } }
    let x = try Matrix(rows: 400, columns: 6, storage: storage)
    let pca = try PCA.fit(x, components: 2)
    let back = try pca.inverseTransform(pca.transform(x))
    for (a, b) in zip(back.storage, x.storage) { #expect(abs(a - b) < 1e-9) }
    #expect(pca.explainedVarianceRatio.reduce(0, +) > 1 - 1e-12)
    // Scores are uncorrelated with the explained variances on the fitting data.
    let scores = try pca.transform(x)
    let std = scores.columnStandardDeviations(ddof: 1)
    for j in 0..<2 { #expect(abs(std[j] * std[j] - pca.explainedVariance[j]) < 1e-9 * pca.explainedVariance[j]) }
}

@Test func pcaIsFittedOnceAndAppliedToNewFrames() throws {
    let pca = try PCA.fit(TestData.gaussian(n: 200, d: 4, seed: 5), components: 2)
    let frame = TestData.gaussian(n: 50, d: 4, seed: 6)
    #expect(try pca.transform(frame) == pca.transform(frame))
    #expect(try pca.transform(frame).columns == 2)
    #expect(throws: EstimatorError.self) { try pca.transform(TestData.gaussian(n: 5, d: 3, seed: 1)) }
    #expect(throws: EstimatorError.self) { try PCA.fit(frame, components: 5) }
}

@Test func randomProjectionAndNoiseAreSeeded() throws {
    let x = TestData.gaussian(n: 100, d: 64, seed: 7)
    let a = try RandomProjection(inputDimension: 64, outputDimension: 8, seed: 1)
    let b = try RandomProjection(inputDimension: 64, outputDimension: 8, seed: 1)
    let c = try RandomProjection(inputDimension: 64, outputDimension: 8, seed: 2)
    #expect(a == b && a != c)
    let projected = try a.transform(x)
    #expect(projected.rows == 100 && projected.columns == 8)
    // E‖xR‖² = ‖x‖² for N(0, 1/D) entries: the mean squared norm is preserved within 15 %.
    let before = x.storage.reduce(0) { $0 + $1 * $1 }, after = projected.storage.reduce(0) { $0 + $1 * $1 }
    #expect(abs(after / before - 1) < 0.15)
    let noisy = try GaussianNoise(sigma: 0.5, seed: 3).apply(to: x)
    #expect(noisy == (try GaussianNoise(sigma: 0.5, seed: 3).apply(to: x)))
    let residual = zip(noisy.storage, x.storage).map { $0 - $1 }
    let sd = (residual.reduce(0) { $0 + $1 * $1 } / Double(residual.count)).squareRoot()
    #expect(abs(sd - 0.5) < 0.02)
}
