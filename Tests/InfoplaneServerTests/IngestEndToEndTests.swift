import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

/// The real `infoplaned` process, real sockets, the counting sink's report as the witness.
@Suite struct IngestEndToEndTests {
    @Test func snapshotsArriveWithTheRightCountsOverUnixAndTCP() throws {
        let daemon = try DaemonProcess(tcp: true)
        let tcp = try #require(daemon.tcpAddress)
        for (address, run) in [(daemon.socketPath, "unix-run"), (tcp, "tcp-run")] {
            let s = try InfoplaneSession(address: address)
            try s.hello(run: run)
            for step in 0..<5 {
                // Two chunks of 6 rows, 3 columns each.
                for chunk in 0..<2 {
                    try s.send(snapshot: SnapshotFactory.snapshot(step: Int64(step), rows: 6, columns: 3,
                                                                  firstID: Int64(chunk * 6), chunkIndex: chunk, chunkCount: 2,
                                                                  seed: Float(step)))
                }
            }
            var scalars = Infoplane_V1_Scalars()
            scalars.step = 4
            scalars.values = ["loss": 0.5, "accuracy": 0.75]
            try s.send(scalars: scalars)
            try s.goodbye()
            #expect(s.errors.isEmpty)
        }
        #expect(try daemon.stop() == 0)
        let report = try daemon.report()
        #expect(report.runs == ["tcp-run", "unix-run"])
        for run in report.runs {
            let tallies = report.tallies.filter { $0.run == run }
            #expect(tallies.map(\.step) == [0, 1, 2, 3, 4])
            #expect(tallies.allSatisfy { $0.chunks == 2 && $0.rows == 12 && $0.values == 36 })
            #expect(report.scalars.filter { $0.run == run }.map(\.values) == [["loss": 0.5, "accuracy": 0.75]])
        }
        // Same data over both transports: same checksums.
        #expect(Set(report.tallies.map(\.checksum)).count == 5)
        #expect(report.sessionsEnded == 2)
    }

    /// The three ways a snapshot's values travel must deliver the same rows: a 2 MB snapshot
    /// is assembled into its own buffer and its F32 values stay there (`Float32Bytes`); 64 KB
    /// chunks are decoded without copying their tensor bytes (`SnapshotValuesSplitter`) but,
    /// being slices of a shared read buffer, copied out; 4 KB chunks are decoded whole. And a
    /// bad value deep inside the large tensor is still found.
    @Test func snapshotsArriveAsTheSameRowsWhicheverWayTheyTravel() throws {
        let daemon = try DaemonProcess()
        let (rows, columns) = (512, 1000)
        let values = (0..<(rows * columns)).map { Float(($0 * 7919) % 1000) * 0.001 - 0.5 }
        func snapshot(_ rowRange: Range<Int>, chunk: Int, of chunks: Int) -> Infoplane_V1_Snapshot {
            var s = SnapshotFactory.snapshot(step: 3, rows: rowRange.count, columns: columns,
                                             firstID: Int64(rowRange.lowerBound), chunkIndex: chunk, chunkCount: chunks)
            s.values = Infoplane_V1_Tensor(floats: Array(values[(rowRange.lowerBound * columns)..<(rowRange.upperBound * columns)]),
                                           shape: [rowRange.count, columns])
            return s
        }
        let large = try InfoplaneSession(address: daemon.socketPath)
        try large.hello(run: "large")
        try large.send(snapshot: snapshot(0..<rows, chunk: 0, of: 1))
        var poisoned = snapshot(0..<rows, chunk: 0, of: 1)
        poisoned.step = 4
        var bad = values
        bad[bad.count - 1] = .infinity
        poisoned.values = Infoplane_V1_Tensor(floats: bad, shape: [rows, columns])
        try large.send(snapshot: poisoned)
        try large.goodbye()
        #expect(large.errors.map(\.code) == [.nonFiniteValues])
        #expect(large.errors.first?.message.contains("index \(rows * columns - 1)") == true)

        for (run, rowsPerChunk) in [("medium", 16), ("small", 1)] {
            let session = try InfoplaneSession(address: daemon.socketPath)
            try session.hello(run: run)
            let chunks = rows / rowsPerChunk
            for c in 0..<chunks {
                try session.send(snapshot: snapshot((c * rowsPerChunk)..<((c + 1) * rowsPerChunk), chunk: c, of: chunks))
            }
            try session.goodbye()
            #expect(session.errors.isEmpty)
        }

        #expect(try daemon.stop() == 0)
        let report = try daemon.report()
        let tallies = report.tallies.filter { $0.step == 3 }
        #expect(tallies.map(\.run).sorted() == ["large", "medium", "small"])
        #expect(tallies.allSatisfy { $0.rows == rows && $0.values == rows * columns })
        #expect(Set(tallies.map(\.checksum)).count == 1)
        #expect(!report.tallies.contains { $0.step == 4 })
    }

    @Test func thirtyTwoConcurrentClients() async throws {
        let daemon = try DaemonProcess()
        let path = daemon.socketPath
        let acks = try await BlockingWorkers.run(32) { client in
            let s = try InfoplaneSession(address: path)
            try s.hello(run: "client-\(client)")
            for step in 0..<20 {
                try s.send(snapshot: SnapshotFactory.snapshot(step: Int64(step), rows: 16, columns: 8, seed: Float(client)))
            }
            try s.goodbye()
            return s.acknowledged.count
        }
        #expect(acks == Array(repeating: 21, count: 32))  // 20 snapshots + Goodbye each
        #expect(try daemon.stop() == 0)
        let report = try daemon.report()
        #expect(report.runs.count == 32)
        #expect(report.tallies.count == 32 * 20)
        #expect(report.tallies.allSatisfy { $0.rows == 16 && $0.chunks == 1 })
    }

    @Test func clientDisconnectingMidFrameDoesNotDisturbOthers() throws {
        let daemon = try DaemonProcess()
        let steady = try InfoplaneSession(address: daemon.socketPath)
        try steady.hello(run: "steady")
        try steady.send(snapshot: SnapshotFactory.snapshot(step: 0))
        try steady.drain()

        let rude = try InfoplaneSession(address: daemon.socketPath)
        try rude.hello(run: "rude")
        var m = Infoplane_V1_ClientMessage()
        m.sequence = 2
        m.snapshot = SnapshotFactory.snapshot(step: 0, rows: 100, columns: 100)
        let body: [UInt8] = try m.serializedBytes()
        var prefix = [UInt8]()
        var n = body.count
        while n >= 0x80 { prefix.append(UInt8(n & 0x7f) | 0x80); n >>= 7 }
        prefix.append(UInt8(n))
        try rude.connection.sendRaw(prefix + body.prefix(body.count / 2))
        rude.connection.shutdownWrite()
        _ = try? rude.connection.receive(timeout: 5)

        for step in 1..<10 { try steady.send(snapshot: SnapshotFactory.snapshot(step: Int64(step))) }
        try steady.goodbye()
        #expect(steady.errors.isEmpty)
        #expect(try daemon.stop() == 0)
        let report = try daemon.report()
        #expect(report.tallies.filter { $0.run == "steady" }.count == 10)
        #expect(report.tallies.filter { $0.run == "rude" }.isEmpty)
    }

    /// SIGTERM while clients stream: the daemon exits 0, and every snapshot it acknowledged
    /// is in the sink's report.
    @Test func sigtermKeepsEveryAcknowledgedSnapshot() async throws {
        let daemon = try DaemonProcess()
        let path = daemon.socketPath
        let started = DispatchSemaphore(value: 0)
        let senders = Task {
            try await BlockingWorkers.run(4) { client -> (String, [UInt64]) in
                let run = "term-\(client)"
                let s = try InfoplaneSession(address: path)
                try s.hello(run: run)
                var step: Int64 = 0
                do {
                    while true {
                        try s.send(snapshot: SnapshotFactory.snapshot(step: step, rows: 64, columns: 32))
                        step += 1
                        if step == 50 { started.signal() }
                    }
                } catch {
                    // The daemon stopped: collect the acks still on the wire.
                    while (try? s.receiveOne(timeout: 2, allowClose: true)) == true {}
                }
                return (run, s.acknowledged)
            }
        }
        // Wait (off the cooperative pool) until every client is streaming.
        try await BlockingWorkers.run { for _ in 0..<4 { started.wait() } }
        try await Task.sleep(for: .milliseconds(700))
        #expect(try daemon.stop() == 0)
        let acknowledged = Dictionary(uniqueKeysWithValues: try await senders.value)
        let report = try daemon.report()
        for (run, acks) in acknowledged {
            // Sequence 1 is Hello; sequence s >= 2 carried step s - 2.
            let ackedSteps = Set(acks.map { Int64($0) - 2 })
            let stored = Set(report.tallies.filter { $0.run == run }.map(\.step))
            #expect(!ackedSteps.isEmpty)
            #expect(ackedSteps.isSubset(of: stored), "run \(run): acknowledged but missing \(ackedSteps.subtracting(stored).sorted().prefix(5))")
        }
    }
}
