import Foundation
import Testing
@testable import InfoplaneEstimators

@Test func digammaMatchesKnownValues() {
    let gamma = 0.57721566490153286
    #expect(abs(SpecialFunctions.digamma(1) + gamma) < 1e-15)
    #expect(abs(SpecialFunctions.digamma(0.5) - (-gamma - 2 * log(2.0))) < 1e-14)
    var harmonic = 0.0
    for n in 1...200 {
        #expect(abs(SpecialFunctions.digamma(Double(n)) - (harmonic - gamma)) < 4e-15 * max(1, abs(harmonic - gamma)))
        harmonic += 1 / Double(n)
    }
}

/// Kozachenko–Leonenko: N = 4000, k = 3. The estimator is consistent with bias O(k/N)^{1/d}
/// at these sizes; the windows (0.03 nats for d = 1, 0.06 for d = 3) are ~4 standard errors.
@Test(arguments: [DistanceMetric.maximum, .euclidean])
func klEntropyOfAGaussianMatchesTheClosedForm(metric: DistanceMetric) throws {
    for (d, window) in [(1, 0.03), (3, 0.06)] {
        let x = TestData.gaussian(n: 4000, d: d, seed: UInt64(30 + d), scale: 2)
        let truth = Double(d) / 2 * log(2 * Double.pi * M_E * 4)
        let est = try KozachenkoLeonenkoEstimator(k: 3, metric: metric).entropy(x)
        #expect(abs(est.value - truth) < window, "d=\(d) \(metric): \(est.value) vs \(truth)")
    }
}

@Test func klEntropyOfAUniformCubeMatchesTheClosedForm() throws {
    // Uniform on [0, w]^d: H = d log w. Boundary effects bias KL upwards by O(N^{-1/d}).
    for (d, width, window) in [(1, 3.0, 0.02), (2, 0.5, 0.05)] {
        let x = TestData.uniform(n: 4000, d: d, seed: UInt64(40 + d), width: width)
        let truth = Double(d) * log(width)
        let est = try KozachenkoLeonenkoEstimator(k: 3).entropy(x)
        #expect(abs(est.value - truth) < window, "d=\(d): \(est.value) vs \(truth)")
    }
}

/// Ross (2014) ground truth: D ~ Bernoulli(1/2), C | D ~ N(sD, 1); I = 0.3368 (s = 2),
/// 0.6327 (s = 4) nats; the reference implementations give 0.3348 / 0.6257 at N = 10 000.
@Test func mixedEstimatorMatchesRossGroundTruth() throws {
    for (s, truth) in [(2.0, 0.3368), (4.0, 0.6327)] {
        var g = SeededGenerator(seed: UInt64(s))
        var labels: [Int] = [], values: [Double] = []
        for _ in 0..<4000 {
            let label = Int(g.next() & 1)
            labels.append(label)
            values.append(s * Double(label) + g.nextGaussian())
        }
        let est = try MixedKSGEstimator(k: 3).mutualInformation(x: Matrix(column: values), labels: labels)
        #expect(abs(est.value - truth) < 0.03, "s=\(s): \(est.value) vs \(truth)")
    }
}

@Test func mixedEstimatorOfIndependentLabelsIsNearZero() throws {
    var g = SeededGenerator(seed: 77)
    let labels = (0..<3000).map { _ in Int(g.next() % 4) }
    let x = TestData.gaussian(n: 3000, d: 2, seed: 78)
    let est = try MixedKSGEstimator(k: 3).mutualInformation(x: x, labels: labels)
    #expect(abs(est.value) < 0.02, "\(est.value)")
}

@Test func gaussianMIMatchesAnalyticValue() throws {
    let (x, y) = TestData.correlatedGaussians(n: 20000, pairs: 3, rho: 0.6, seed: 3)
    let est = try GaussianMutualInformation().mutualInformation(x: x, y: y)
    #expect(abs(est.value - TestData.analyticGaussianMI(pairs: 3, rho: 0.6)) < 0.02)
    #expect(est.units == .nats && est.n == 20000 && est.d == 6)
    let bits = try GaussianMutualInformation().mutualInformation(x: x, y: y, units: .bits)
    #expect(abs(bits.value - est.value / log(2.0)) < 1e-12)
}

@Test func ksgReportsBitsOnRequest() throws {
    let (x, y) = TestData.correlatedGaussians(n: 500, pairs: 1, rho: 0.8, seed: 8)
    let nats = try KSGEstimator().mutualInformation(x: x, y: y)
    let bits = try KSGEstimator().mutualInformation(x: x, y: y, units: .bits)
    #expect(abs(bits.value * log(2.0) - nats.value) < 1e-12)
}
