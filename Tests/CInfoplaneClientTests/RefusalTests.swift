import CInfoplaneClient
import InfoplaneTestSupport
import Testing

/// What the daemon refuses, and how the C client reports it.
@Suite struct RefusalTests {
    static let ids = (0..<1000).map { Int64($0) }
    static let values = (0..<1000 * 10).map { Float($0 % 200 - 100) / 32 }

    @Test func protocolVersionMismatchIsFatalWithTheServersSentence() throws {
        let daemon = try DaemonProcess()
        let client = CClient()
        #expect(client.connect(daemon.socketPath) == INFOPLANE_OK, "\(client.lastError)")
        infoplane_client_set_protocol_version(client.handle, 2)
        #expect(client.hello(run: "c-version").status == INFOPLANE_ERR_SERVER_FATAL)
        #expect(client.lastServerError == INFOPLANE_SERVER_ERROR_PROTOCOL_VERSION_MISMATCH)
        #expect(client.lastError.contains("PROTOCOL_VERSION_MISMATCH"))
        #expect(client.lastError.contains("version 2"))
        #expect(client.sendScalars(step: 0, ["loss": 1]) == INFOPLANE_ERR_STATE)
        let report = try daemon.stopAndReadReport()
        #expect(report.runs.isEmpty)
    }

    @Test func oversizedMessageIsRefusedLocallyAndChunkingFitsIt() throws {
        let daemon = try DaemonProcess(arguments: ["--max-message-bytes", "4096"])
        let client = CClient()
        try #require(client.open(daemon.socketPath, run: "c-small") == INFOPLANE_OK, "\(client.lastError)")
        #expect(infoplane_client_max_message_bytes(client.handle) == 4096)
        #expect(client.send(layer: "h", step: 0, dtype: INFOPLANE_DTYPE_F32, features: 10, values: Self.values,
                            ids: Self.ids) == INFOPLANE_ERR_TOO_LARGE)
        #expect(client.lastError.contains("4096"))
        #expect(client.sent == 0)
        #expect(client.send(layer: "h", step: 0, dtype: INFOPLANE_DTYPE_F32, features: 10, values: Self.values,
                            ids: Self.ids, rowsPerChunk: 0) == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.goodbye() == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.acked == client.sent)
        let tally = try #require(try daemon.stopAndReadReport().tally(run: "c-small", layer: "h", step: 0))
        #expect(tally.rows == 1000)
        #expect(tally.chunks == Int(client.sent))
        #expect(tally.chunks >= 1000 * 48 / 4096)
        #expect(tally.checksum == ExpectedChecksum.floats(Self.values, ids: Self.ids, columns: 10))
    }

    @Test func oversizedFrameIsRefusedByTheDaemon() throws {
        let daemon = try DaemonProcess(arguments: ["--max-message-bytes", "4096"])
        let client = CClient()
        try #require(client.open(daemon.socketPath, run: "c-oversized") == INFOPLANE_OK, "\(client.lastError)")
        infoplane_client_set_size_check(client.handle, 0)
        // The write may complete before the daemon answers (then flush reads the Error) or
        // fail half-way because the daemon closed (then the send reports the Error).
        var status = client.send(layer: "h", step: 0, dtype: INFOPLANE_DTYPE_F32, features: 10,
                                 values: Self.values, ids: Self.ids)
        if status == INFOPLANE_OK { status = client.flush() }
        #expect(status == INFOPLANE_ERR_SERVER_FATAL, "\(client.lastError)")
        #expect(client.lastServerError == INFOPLANE_SERVER_ERROR_MESSAGE_TOO_LARGE)
        #expect(client.lastError.contains("MESSAGE_TOO_LARGE"))
        #expect(client.sendScalars(step: 1, ["loss": 1]) == INFOPLANE_ERR_STATE)
        #expect(try daemon.stopAndReadReport().tallies.isEmpty)
    }

    final class RefusalLog {
        var codes: [infoplane_server_error] = []
        var sequences: [UInt64] = []
    }

    @Test func nonFatalRefusalsAreReportedAndTheSessionContinues() throws {
        let daemon = try DaemonProcess()
        let client = CClient()
        let log = RefusalLog()
        infoplane_client_set_refusal_handler(client.handle, { user, sequence, code, _ in
            let log = Unmanaged<RefusalLog>.fromOpaque(user!).takeUnretainedValue()
            log.codes.append(code)
            log.sequences.append(sequence)
        }, Unmanaged.passUnretained(log).toOpaque())
        try #require(client.open(daemon.socketPath, run: "c-refusals") == INFOPLANE_OK, "\(client.lastError)")

        let ids: [Int64] = [1, 2, 3]
        let nan: [Float] = [0, 1, .nan, 3, 4, 5]
        #expect(client.send(layer: "h", step: 5, dtype: INFOPLANE_DTYPE_F32, features: 2, values: nan, ids: ids)
                == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.flush() == INFOPLANE_ERR_REFUSED)
        #expect(client.lastError.contains("NON_FINITE_VALUES"))
        #expect(client.lastError.contains("layer \"h\" at step 5"))
        #expect(client.lastServerError == INFOPLANE_SERVER_ERROR_NON_FINITE_VALUES)
        #expect(client.flush() == INFOPLANE_OK) // reported once

        let fine: [Float] = [0, 1, 2, 3, 4, 5]
        #expect(client.send(layer: "h", step: -1, dtype: INFOPLANE_DTYPE_F32, features: 2, values: fine, ids: ids)
                == INFOPLANE_OK)
        #expect(client.send(layer: "h", step: 6, dtype: INFOPLANE_DTYPE_F32, features: 2, values: fine, ids: ids)
                == INFOPLANE_OK)
        #expect(client.goodbye() == INFOPLANE_ERR_REFUSED)
        #expect(client.lastError.contains("NEGATIVE_STEP"))
        #expect(log.codes == [INFOPLANE_SERVER_ERROR_NON_FINITE_VALUES, INFOPLANE_SERVER_ERROR_NEGATIVE_STEP])
        #expect(log.sequences == [2, 3])
        #expect(client.sent == 3)
        #expect(client.acked == 1)
        #expect(client.refused == 2)
        let report = try daemon.stopAndReadReport()
        #expect(report.tallies.map(\.step) == [6])
    }
}
