import Foundation
import Testing
@testable import InfoplaneEstimators

/// Values printed by CPython 3.11: random.seed(s); random.sample(range(n), k=k); random.getrandbits(32).
@Test func pythonRandomReproducesCPython() {
    var a = PythonRandom(seed: 0)
    #expect(a.sample(from: 300, count: 7) == [197, 215, 20, 132, 261, 248, 207])
    #expect(a.nextUInt32() == 3_943_786_419)
    var b = PythonRandom(seed: 0)
    #expect(b.sample(from: 20, count: 5) == [12, 13, 1, 8, 15])
    var c = PythonRandom(seed: 12_345_678_901)
    #expect(c.sample(from: 100_000, count: 5) == [78195, 42991, 50304, 46419, 70600])
}

/// The DSMI fixtures record the subsets the package drew; without injection Infoplane must
/// draw the very same ones and so give the package's value.
@Test func dsmiDrawsThePackagesSubsetsByDefault() throws {
    let cases = Fixtures.cases.filter { $0.estimator == "dsmi" && $0.subset_indices != nil }
    #expect(!cases.isEmpty)
    for fixture in cases {
        var free = fixture
        free.subset_indices = nil
        let value = try free.evaluate()
        #expect(abs(value - fixture.expected) <= fixture.tolerance_rel * abs(fixture.expected), "\(fixture.name): \(value) vs \(fixture.expected)")
        // And the recorded draws are what PythonRandom produces.
        for (label, draws) in fixture.subset_indices! {
            var generator = PythonRandom(seed: 0)
            let mine = draws.map { generator.sample(from: fixture.x.count, count: $0.count) }
            #expect(mine == draws, "\(fixture.name) label \(label)")
        }
    }
}
