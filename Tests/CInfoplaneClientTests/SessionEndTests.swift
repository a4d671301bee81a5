import CInfoplaneClient
import Foundation
import InfoplaneTestSupport
import Testing

/// Sessions the daemon ends: idle timeout, daemon stopped. The client reports it and can
/// connect again.
@Suite struct SessionEndTests {
    static let ids: [Int64] = [10, 11]
    static let values: [Float] = [0.5, -0.5, 1, -1]

    @Test func idleSessionIsClosedWithTheServersReason() throws {
        let daemon = try DaemonProcess(arguments: ["--idle-timeout-ms", "300"])
        let client = CClient()
        try #require(client.open(daemon.socketPath, run: "c-idle") == INFOPLANE_OK, "\(client.lastError)")
        usleep(1_000_000)
        var status = client.send(layer: "h", step: 0, dtype: INFOPLANE_DTYPE_F32, features: 2,
                                 values: Self.values, ids: Self.ids)
        if status == INFOPLANE_OK { status = client.flush() } // the write may beat the close
        #expect(status == INFOPLANE_ERR_SERVER_FATAL, "\(String(cString: infoplane_status_name(status))) \(client.lastError)")
        #expect(client.lastServerError == INFOPLANE_SERVER_ERROR_IDLE_TIMEOUT)
        #expect(client.lastError.contains("IDLE_TIMEOUT"))
        #expect(client.acked == 0)
    }

    @Test func daemonStoppedMidSessionThenReconnectToANewOne() throws {
        let first = try DaemonProcess()
        let client = CClient()
        try #require(client.open(first.socketPath, run: "c-restart") == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.send(layer: "h", step: 0, dtype: INFOPLANE_DTYPE_F32, features: 2, values: Self.values,
                            ids: Self.ids) == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.flush() == INFOPLANE_OK, "\(client.lastError)")
        try first.stop()
        let status = client.sendScalars(step: 1, ["loss": 1])
        #expect([INFOPLANE_ERR_SERVER_FATAL, INFOPLANE_ERR_CLOSED, INFOPLANE_ERR_IO].contains(status),
                "\(client.lastError)")
        #expect(!client.lastError.isEmpty)
        #expect(client.sendScalars(step: 2, ["loss": 1]) == INFOPLANE_ERR_STATE)

        let second = try DaemonProcess()
        try #require(client.open(second.socketPath, run: "c-restart") == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.sendScalars(step: 3, ["loss": 0.5]) == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.goodbye() == INFOPLANE_OK, "\(client.lastError)")
        let report = try second.stopAndReadReport()
        #expect(report.scalars.map(\.step) == [3])
    }
}
