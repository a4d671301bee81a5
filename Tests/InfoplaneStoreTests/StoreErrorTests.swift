import Testing
@testable import InfoplaneStore

@Test func cannotOpenSaysWhatToDo() {
    let e = StoreError.cannotOpen(path: "/x/infoplane.sqlite", underlying: "permission denied")
    #expect(e.description.contains("/x/infoplane.sqlite"))
    #expect(e.description.contains("writable"))
}
