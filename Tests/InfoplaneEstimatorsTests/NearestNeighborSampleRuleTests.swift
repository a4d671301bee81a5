import Foundation
import Testing
@testable import InfoplaneEstimators

/// N < k · 2^d: the kNN estimates flagged `few_samples`.
@Test func theNearestNeighborSampleRuleFlagsNBelowKTimesTwoToTheD() {
    #expect(NearestNeighborSampleRule.isTooFew(n: 3071, d: 10, k: 3))
    #expect(!NearestNeighborSampleRule.isTooFew(n: 3072, d: 10, k: 3))
    #expect(!NearestNeighborSampleRule.isTooFew(n: 4096, d: 10, k: 3), "the defaults on the SZT probe set")
    #expect(NearestNeighborSampleRule.isTooFew(n: 1024, d: 10, k: 3), "the defaults on a 1024-sample probe set")
    #expect(!NearestNeighborSampleRule.isTooFew(n: 1024, d: 8, k: 3))
    #expect(NearestNeighborSampleRule.isTooFew(n: 1 << 20, d: 100, k: 1), "no overflow for large d")
}
