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

@Test(arguments: [1, 3, 12], [true, false])
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
    #expect(NeighborIndex(points: TestData.gaussian(n: 4096, d: 4, seed: 1), metric: .maximum).structure == "kd-tree")
    #expect(NeighborIndex(points: TestData.gaussian(n: 4096, d: 32, seed: 1), metric: .maximum).structure == "brute-force")
}
