import Testing
@testable import InfoplaneServer

@Test func versionIsSemantic() {
    #expect(InfoplaneServerVersion.string.split(separator: ".").count == 3)
}
