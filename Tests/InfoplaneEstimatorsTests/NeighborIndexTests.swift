import Foundation
import Testing
@testable import InfoplaneEstimators

/// Naive O(N²) reference used to check every backend.
private func naiveKNearest(_ m: Matrix, k: Int, metric: DistanceMetric) -> [Double] {
    var out: [Double] = []
    for i in 0..<m.rows {
        var ds: [Double] = []
        for j in 0..<m.rows where j != i {
            var acc = 0.0
            for c in 0..<m.columns {
                let v = m[j, c] - m[i, c]
                if metric == .maximum { acc = max(acc, abs(v)) } else { acc += v * v }
            }
            ds.append(metric == .maximum ? acc : acc.squareRoot())
        }
        ds.sort()
        out.append(contentsOf: ds[0..<k])
    }
    return out
}

private func naiveCount(_ m: Matrix, radii: [Double], strict: Bool, metric: DistanceMetric) -> [Int] {
    (0..<m.rows).map { i in
        (0..<m.rows).filter { j in
            var acc = 0.0
            for c in 0..<m.columns {
                let v = m[j, c] - m[i, c]
                if metric == .maximum { acc = max(acc, abs(v)) } else { acc += v * v }
            }
            let dist = metric == .maximum ? acc : acc.squareRoot()
            return strict ? dist < radii[i] : dist <= radii[i]
        }.count
    }
}

@Test(arguments: [1, 2, 3, 5, 12, 20], [DistanceMetric.maximum, .euclidean])
func everyBackendFindsTheExactNeighbours(d: Int, metric: DistanceMetric) {
    let points = TestData.gaussian(n: 300, d: d, seed: UInt64(d))
    let expected = naiveKNearest(points, k: 4, metric: metric)
    for strategy in SearchStrategy.allCases {
        let got = NeighborIndex(points: points, metric: metric, strategy: strategy).kNearest(k: 4).distances
        for (a, b) in zip(got, expected) { #expect(abs(a - b) <= 1e-12 * max(1, b), "\(strategy) d=\(d)") }
    }
}

@Test(arguments: [1, 2, 3, 12], [true, false])
func everyBackendCountsInsideTheBall(d: Int, strict: Bool) {
    // Points on a grid so that many distances equal the radius exactly.
    var g = SeededGenerator(seed: 9)
    let points = try! Matrix(rows: 250, columns: d, storage: (0..<(250 * d)).map { _ in Double(g.next() % 7) })
    let radii = (0..<250).map { _ in Double(g.next() % 4) }
    for metric in DistanceMetric.allCases {
        let expected = naiveCount(points, radii: radii, strict: strict, metric: metric)
        for strategy in SearchStrategy.allCases {
            let got = NeighborIndex(points: points, metric: metric, strategy: strategy).countWithin(radii: radii, strict: strict)
            #expect(got == expected, "\(strategy) \(metric) d=\(d)")
        }
    }
}

@Test func automaticChoiceFollowsDimension() {
    #expect(NeighborIndex(points: TestData.gaussian(n: 4096, d: 1, seed: 1), metric: .maximum).structure == "sorted-line")
    #expect(NeighborIndex(points: TestData.gaussian(n: 4096, d: 2, seed: 1), metric: .maximum).structure == "plane-grid")
    #expect(NeighborIndex(points: TestData.gaussian(n: 4096, d: 4, seed: 1), metric: .maximum).structure == "kd-tree")
    #expect(NeighborIndex(points: TestData.gaussian(n: 4096, d: 32, seed: 1), metric: .maximum).structure == "brute-force")
}

/// The 2-D grid against the k-d tree on the same points: the same k-nearest distances bit for
/// bit and the same counts — on Gaussian data, on a tight cluster far from a few outliers
/// (most cells empty, long ring searches), on points with many exact ties, and on a line.
@Test(arguments: [DistanceMetric.maximum, .euclidean])
func planeGridMatchesTheTreeBitForBit(metric: DistanceMetric) throws {
    var g = SeededGenerator(seed: 77)
    let gaussian = TestData.gaussian(n: 4096, d: 2, seed: 5)
    let clustered = try Matrix(rows: 2000, columns: 2, storage: (0..<4000).map { i in
        i < 3990 ? g.nextGaussian() * 1e-3 : g.nextGaussian() * 1e3 })
    let ties = try Matrix(rows: 1500, columns: 2, storage: (0..<3000).map { _ in Double(g.next() % 9) })
    let line = try Matrix(rows: 500, columns: 2, storage: (0..<1000).map { i in i % 2 == 0 ? Double(i) : 3 })
    for (name, points) in [("gaussian", gaussian), ("clustered", clustered), ("ties", ties), ("line", line)] {
        let grid = NeighborIndex(points: points, metric: metric)
        let tree = NeighborIndex(points: points, metric: metric, strategy: .kdTree)
        #expect(grid.structure == "plane-grid")
        let k = 3
        let (gd, gi) = grid.kNearest(k: k)
        let td = tree.kNearest(k: k).distances
        #expect(gd == td, "\(name) \(metric): k-nearest distances differ")
        // The indices name points at exactly those distances.
        for row in stride(from: 0, to: points.rows, by: 7) {
            for m in 0..<k {
                let j = gi[row * k + m]
                var acc = 0.0
                for c in 0..<2 {
                    let v = points[j, c] - points[row, c]
                    if metric == .maximum { acc = max(acc, abs(v)) } else { acc += v * v }
                }
                #expect((metric == .maximum ? acc : acc.squareRoot()) == gd[row * k + m], "\(name) row \(row)")
            }
        }
        let radii = (0..<points.rows).map { gd[$0 * k + k - 1] }
        for strict in [true, false] {
            #expect(grid.countWithin(radii: radii, strict: strict) == tree.countWithin(radii: radii, strict: strict), "\(name) \(metric) strict \(strict)")
        }
    }
}
