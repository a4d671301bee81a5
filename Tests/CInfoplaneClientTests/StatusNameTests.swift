import CInfoplaneClient
import Testing

@Suite struct StatusNameTests {
    @Test func everyStatusHasADistinctName() {
        let names = (0...11).map { String(cString: infoplane_status_name(infoplane_status(rawValue: UInt32($0)))) }
        #expect(Set(names).count == 12)
        #expect(!names.contains("INFOPLANE_ERR_UNKNOWN"))
        #expect(String(cString: infoplane_status_name(infoplane_status(rawValue: 99))) == "INFOPLANE_ERR_UNKNOWN")
    }
}
