import Foundation
@testable import InfoplaneEstimators

/// Seeded synthetic data sets with known information quantities.
enum TestData {
    /// `pairs` independent pairs (x_j, y_j) with correlation `rho`; I = −pairs/2 · log(1 − ρ²).
    static func correlatedGaussians(n: Int, pairs: Int, rho: Double, seed: UInt64) -> (x: Matrix, y: Matrix) {
        var g = SeededGenerator(seed: seed)
        var xs = [Double](), ys = [Double]()
        xs.reserveCapacity(n * pairs); ys.reserveCapacity(n * pairs)
        let c = (1 - rho * rho).squareRoot()
        for _ in 0..<n {
            for _ in 0..<pairs {
                let a = g.nextGaussian(), b = g.nextGaussian()
                xs.append(a)
                ys.append(rho * a + c * b)
            }
        }
        return (try! Matrix(rows: n, columns: pairs, storage: xs), try! Matrix(rows: n, columns: pairs, storage: ys))
    }

    static func gaussian(n: Int, d: Int, seed: UInt64, scale: Double = 1) -> Matrix {
        var g = SeededGenerator(seed: seed)
        return try! Matrix(rows: n, columns: d, storage: (0..<(n * d)).map { _ in scale * g.nextGaussian() })
    }

    static func uniform(n: Int, d: Int, seed: UInt64, width: Double = 1) -> Matrix {
        var g = SeededGenerator(seed: seed)
        return try! Matrix(rows: n, columns: d, storage: (0..<(n * d)).map { _ in width * g.nextUniform() })
    }

    static func analyticGaussianMI(pairs: Int, rho: Double) -> Double {
        -Double(pairs) / 2 * log(1 - rho * rho)
    }
}
