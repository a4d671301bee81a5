import CInfoplaneClient
import InfoplaneTestSupport
import Testing

/// Whole sessions of the C client against a real infoplaned with the counting sink.
@Suite struct SessionTests {
    static let rows = 300
    static let ids = (0..<rows).map { Int64(1000 + 3 * $0) }

    /// Exactly representable in F16 and BF16, so every dtype carries the same numbers.
    static func value(_ i: Int, salt: Int) -> Float { Float((i * 37 + salt * 11) % 255 - 127) / 64 }

    @Test func everyMessageIsAcknowledgedAndArrivesIntact() throws {
        let daemon = try DaemonProcess()
        let client = CClient()
        #expect(client.connect(daemon.socketPath) == INFOPLANE_OK, "\(client.lastError)")
        let (status, credits) = client.hello(run: "c-session")
        try #require(status == INFOPLANE_OK, "\(client.lastError)")
        #expect(credits > 0)
        #expect(infoplane_client_max_message_bytes(client.handle) > 0)
        #expect(String(cString: infoplane_client_run_id(client.handle)).isEmpty == false)

        let ids = Self.ids
        let h1 = (0..<Self.rows * 10).map { Self.value($0, salt: 1) }
        let h2 = (0..<Self.rows * 7).map { infoplane_float_to_f16(Self.value($0, salt: 2)) }
        let h3 = (0..<Self.rows * 5).map { infoplane_float_to_bf16(Self.value($0, salt: 3)) }
        let out = (0..<Self.rows * 2).map { Double(Self.value($0, salt: 4)) }
        let labels = (0..<Self.rows).map { Int64($0 % 3) }

        #expect(client.send(layer: "h1", step: 40, dtype: INFOPLANE_DTYPE_F32, features: 10, values: h1, ids: ids,
                            rowsPerChunk: 64) == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.send(layer: "h2", step: 40, dtype: INFOPLANE_DTYPE_F16, features: 7, values: h2, ids: ids)
                == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.send(layer: "h3", step: 40, dtype: INFOPLANE_DTYPE_BF16, features: 5, values: h3, ids: ids)
                == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.send(layer: "out", step: 40, role: INFOPLANE_ROLE_OUTPUT, dtype: INFOPLANE_DTYPE_F64,
                            features: 2, values: out, ids: ids) == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.sendLabels(layer: "labels", step: 40, ids: ids, labels: labels) == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.sendScalars(step: 40, ["loss": 0.625, "accuracy": 0.75]) == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.heartbeat() == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.flush() == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.sent == 10) // 5 chunks of h1, h2, h3, out, labels, scalars
        #expect(client.acked == client.sent)
        #expect(client.refused == 0)
        #expect(client.goodbye() == INFOPLANE_OK, "\(client.lastError)")

        let report = try daemon.stopAndReadReport()
        #expect(report.runs == ["c-session"])
        let h1Tally = try #require(report.tally(run: "c-session", layer: "h1", step: 40))
        #expect(h1Tally.chunks == 5)
        #expect(h1Tally.rows == Self.rows)
        #expect(h1Tally.values == Self.rows * 10)
        #expect(h1Tally.checksum == ExpectedChecksum.floats(h1, ids: ids, columns: 10))
        #expect(report.tally(run: "c-session", layer: "h2", step: 40)?.checksum
                == ExpectedChecksum.floats(h2.map(infoplane_f16_to_float), ids: ids, columns: 7))
        #expect(report.tally(run: "c-session", layer: "h3", step: 40)?.checksum
                == ExpectedChecksum.floats(h3.map(infoplane_bf16_to_float), ids: ids, columns: 5))
        #expect(report.tally(run: "c-session", layer: "out", step: 40)?.checksum
                == ExpectedChecksum.floats(out.map { Float($0) }, ids: ids, columns: 2))
        #expect(report.tally(run: "c-session", layer: "labels", step: 40)?.checksum
                == ExpectedChecksum.integers(labels, ids: ids))
        #expect(report.scalars == [.init(run: "c-session", step: 40, split: "train",
                                         values: ["loss": 0.625, "accuracy": 0.75])])
    }

    @Test func neverMoreInFlightThanTheGrantedCredits() throws {
        let daemon = try DaemonProcess(arguments: ["--credits", "2"])
        let client = CClient()
        try #require(client.open(daemon.socketPath, run: "c-credits") == INFOPLANE_OK, "\(client.lastError)")
        #expect(infoplane_client_credits(client.handle) == 2)
        let ids = Array(Self.ids.prefix(50))
        let values = (0..<50 * 4).map { Self.value($0, salt: 5) }
        for step in 0..<30 {
            #expect(client.send(layer: "h", step: Int64(step), dtype: INFOPLANE_DTYPE_F32, features: 4,
                                values: values, ids: ids) == INFOPLANE_OK, "\(client.lastError)")
            #expect(client.sent - client.acked - client.refused <= 2)
        }
        #expect(client.goodbye() == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.acked == 30)
        #expect(client.refused == 0)
        let report = try daemon.stopAndReadReport()
        #expect(report.tallies.count == 30)
        #expect(report.tallies.allSatisfy { $0.rows == 50 && $0.chunks == 1 })
    }

    @Test func tcpSessionAndReconnectWithTheSameClient() throws {
        let daemon = try DaemonProcess(tcp: true)
        let address = try #require(daemon.tcpAddress, "no TCP address in the daemon log:\n\(daemon.log)")
        let client = CClient()
        try #require(client.open(address, run: "c-tcp-1") == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.sendScalars(step: 1, ["loss": 1.5]) == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.goodbye() == INFOPLANE_OK, "\(client.lastError)")
        try #require(client.open("tcp://" + address, run: "c-tcp-2") == INFOPLANE_OK, "\(client.lastError)")
        #expect(client.sendScalars(step: 2, split: INFOPLANE_SPLIT_VALIDATION, ["loss": 2.5]) == INFOPLANE_OK)
        #expect(client.goodbye() == INFOPLANE_OK, "\(client.lastError)")
        let report = try daemon.stopAndReadReport()
        #expect(report.runs == ["c-tcp-1", "c-tcp-2"])
        #expect(report.scalars.map(\.split) == ["train", "validation"])
    }
}
