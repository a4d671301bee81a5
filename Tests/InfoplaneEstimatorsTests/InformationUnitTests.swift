import Foundation
import Testing
@testable import InfoplaneEstimators

@Test func natsToBitsAndBack() {
    #expect(abs(InformationUnit.nats.convert(log(2.0), to: .bits) - 1) < 1e-15)
    #expect(abs(InformationUnit.bits.convert(1, to: .nats) - log(2.0)) < 1e-15)
}
