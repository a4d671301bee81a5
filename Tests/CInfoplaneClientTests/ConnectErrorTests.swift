import CInfoplaneClient
import Foundation
import InfoplaneTestSupport
import Testing

/// Failures before any session exists: no daemon, bad addresses, calls out of order.
@Suite struct ConnectErrorTests {
    @Test func noDaemonGivesAConnectErrorNamingTheSocket() throws {
        let directory = DaemonProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("absent.sock").path
        let client = CClient()
        #expect(client.connect(path) == INFOPLANE_ERR_CONNECT)
        #expect(client.lastError.contains(path))
        #expect(client.lastError.contains("No such file or directory"))
        #expect(client.lastError.contains("infoplaned"))
    }

    @Test func closedTcpPortGivesConnectionRefused() {
        let client = CClient()
        #expect(client.connect("127.0.0.1:1") == INFOPLANE_ERR_CONNECT)
        #expect(client.lastError.contains("127.0.0.1:1"))
        #expect(client.lastError.contains("refused"))
    }

    @Test(arguments: ["localhost:http", "", "host:"])
    func malformedAddressIsAnInvalidArgument(address: String) {
        let client = CClient()
        #expect(client.connect(address) == INFOPLANE_ERR_INVALID_ARGUMENT)
        #expect(!client.lastError.isEmpty)
    }

    @Test func callsOutOfOrderAreStateErrors() {
        let client = CClient()
        #expect(client.hello(run: "r").status == INFOPLANE_ERR_STATE)
        #expect(client.sendScalars(step: 0, ["loss": 1]) == INFOPLANE_ERR_STATE)
        #expect(client.lastError.contains("connect"))
        #expect(client.heartbeat() == INFOPLANE_ERR_STATE)
        #expect(client.flush() == INFOPLANE_ERR_STATE)
        #expect(client.goodbye() == INFOPLANE_ERR_STATE)
    }
}
