import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import NIOCore
import Testing

/// Hostile and careless input against the real daemon (issue "Hardening"): each case is
/// refused with its own code, and the daemon keeps serving everyone else.
@Suite(.serialized) struct HardeningTests {
    /// A daemon whose configuration file holds `toml`.
    func daemon(_ toml: String, sink: String = "counting", http: Bool = false, arguments: [String] = [],
                resourceLimits: [String] = []) throws -> DaemonProcess {
        let dir = DaemonProcess.temporaryDirectory("hard")
        try toml.write(to: dir.appendingPathComponent("infoplaned.toml"), atomically: true, encoding: .utf8)
        return try DaemonProcess(sink: sink, http: http, arguments: arguments, directory: dir, resourceLimits: resourceLimits)
    }

    /// A daemon with this message limit and these receive-memory budgets (`[ingest]`).
    func daemon(maxMessageBytes: Int, receivingPerRun: Int, receivingTotal: Int) throws -> DaemonProcess {
        try daemon("""
            [ingest]
            max_message_bytes = \(maxMessageBytes)
            max_receiving_bytes_per_run = \(receivingPerRun)
            max_receiving_bytes = \(receivingTotal)
            """)
    }

    /// A session that said Hello for `run`.
    func session(_ daemon: DaemonProcess, run: String) throws -> InfoplaneSession {
        let s = try InfoplaneSession(address: daemon.socketPath)
        try s.hello(run: run)
        return s
    }

    /// Another client sends a snapshot and gets its Ack: the daemon still serves others.
    func expectOthersServed(_ daemon: DaemonProcess, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let other = try session(daemon, run: "bystander-\(UInt32.random(in: 0...UInt32.max))")
        try other.send(snapshot: SnapshotFactory.snapshot(step: 1))
        try other.drain()
        #expect(other.errors.isEmpty && other.acknowledged.count == 1, "another client is still served", sourceLocation: sourceLocation)
        try other.goodbye()
    }

    /// The fatal Error the server sends next on `connection`.
    func nextError(on connection: InfoplaneConnection, timeout: Double = 10) throws -> Infoplane_V1_Error {
        while let reply = try connection.receive(timeout: timeout) {
            if case .error(let e) = reply.kind { return e }
        }
        throw InfoplaneClientError.closedByServer
    }

    /// `length` as a frame's length prefix (an unsigned varint).
    static func lengthPrefix<T: BinaryInteger>(_ length: T) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeVarint(UInt64(length))
        return Array(buffer.readableBytesView)
    }

    /// The resident memory of `pid` in bytes, from /proc.
    func residentBytes(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        let kib = try #require(Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1]))
        return kib * 1024
    }

    // MARK: - 1. A crash from one message

    @Test func aShapeWhoseSizeOverflowsIsRefused() throws {
        let d = try daemon("")
        let s = try session(d, run: "overflow")
        var snapshot = SnapshotFactory.snapshot(step: 1, rows: 1, columns: 1)
        snapshot.values.shape = [1, 4_294_967_295, 4_294_967_295]
        try s.send(snapshot: snapshot)
        try s.drain()
        let error = try #require(s.errors.last)
        #expect(error.code == .shapeMismatch)
        #expect(error.message.contains("4294967295"))
        #expect(d.process.isRunning)
        try expectOthersServed(d)
    }

    // MARK: - 2, 3. Allocation and memory budgets

    @Test func framesBeingReceivedStayWithinTheTotalBudget() throws {
        // 2 MiB frames, 8 MiB for all connections: 4 frames in progress at most.
        let d = try daemon(maxMessageBytes: 2_097_152, receivingPerRun: 4_194_304, receivingTotal: 8_388_608)
        let before = try residentBytes(d.process.processIdentifier)
        // 16 runs, each sends all but the last byte of a 2 MiB frame (real bytes, so that
        // the memory is touched): unbounded, that is 32 MiB held.
        var held: [InfoplaneSession] = []
        var refused: [Infoplane_V1_Error] = []
        for i in 0..<16 {
            let s = try session(d, run: "budget-\(i)")
            // A refused connection may be closed before all of it is written.
            try? s.connection.sendRaw(Self.lengthPrefix(2 << 20) + [UInt8](repeating: 0x42, count: (2 << 20) - 1))
            held.append(s)
        }
        for s in held {
            if let reply = try? s.connection.receive(timeout: 0.5), case .error(let e) = reply.kind { refused.append(e) }
        }
        let grown = try residentBytes(d.process.processIdentifier) - before
        #expect(refused.count == 12, "16 frames of 2 MiB against an 8 MiB budget: 12 refused, got \(refused.count)")
        #expect(refused.allSatisfy { $0.code == .memoryBudgetExceeded && $0.fatal && $0.message.contains("max_receiving_bytes") })
        #expect(grown < 20 << 20, "resident memory grew \(grown >> 20) MiB for 8 MiB of budget")
        try expectOthersServed(d)
    }

    /// The probe's crash: under a 2 GiB address-space limit, 40 connections that each send
    /// only a length prefix announcing 64 MiB. With the default budget (1 GiB) the newest
    /// are refused; with a budget above what the address space holds, allocations fail and
    /// are refused too. Either way the daemon lives and serves others.
    @Test(arguments: [false, true])
    func announcedFramesCannotExhaustTheAddressSpace(budgetAboveTheLimit: Bool) throws {
        // No minimum rate here: the held frames would be refused as slow after 10 s.
        let unhurried = "[ingest]\nmin_frame_bytes_per_second = 0\n"
        let generous = "max_receiving_bytes = 8589934592\nmax_receiving_bytes_per_run = 8589934592\n"
        let d = try daemon(unhurried + (budgetAboveTheLimit ? generous : ""), resourceLimits: ["--as=2147483648"])
        let announce = Self.lengthPrefix(64 << 20) + [0x0a]
        let sessions = try (0..<40).map { try session(d, run: "prefix-\($0)") }
        for s in sessions { try s.connection.sendRaw(announce) }
        var refusals: [Infoplane_V1_Error] = []
        for s in sessions {
            if let reply = try? s.connection.receive(timeout: 0.5), case .error(let e) = reply.kind { refusals.append(e) }
        }
        #expect(d.process.isRunning, "the daemon survived")
        #expect(!refusals.isEmpty && refusals.allSatisfy { $0.code == .memoryBudgetExceeded }, "\(refusals.map { "\($0.code): \($0.message)" })")
        if budgetAboveTheLimit {
            #expect(refusals.contains { $0.message.contains("could not allocate") }, "\(refusals.map(\.message))")
        } else {
            #expect(refusals.count == 40 - 16, "1 GiB holds 16 frames of 64 MiB")
        }
        try expectOthersServed(d)
    }

    /// The probe's "48 chunks of 16 MiB for a frame that never completes" (scaled down): the
    /// monitor holds no more than its run's assembly budget, refuses the chunk past it
    /// (not fatal), and serves another run meanwhile.
    @Test func chunksOfAFrameThatNeverCompletesStayWithinTheAssemblyBudget() throws {
        let d = try daemon("[assembly]\nmax_assembling_bytes_per_run = 262144\n", sink: "monitor")
        let s = try session(d, run: "never-complete")
        for chunk in 0..<8 {   // 64 KiB a chunk: 4 fit in 256 KiB
            try s.send(snapshot: SnapshotFactory.snapshot(step: 1, rows: 16, columns: 1024, firstID: Int64(16 * chunk),
                                                          chunkIndex: chunk, chunkCount: 48))
        }
        try s.drain()
        #expect(s.acknowledged.count == 4)
        #expect(s.errors.count == 4 && s.errors.allSatisfy { $0.code == .memoryBudgetExceeded && !$0.fatal })
        #expect(s.errors.first?.message.contains("max_assembling_bytes_per_run") == true)
        try expectOthersServed(d)
    }

    @Test func oneRunCannotTakeTheWholeBudget() throws {
        let d = try daemon(maxMessageBytes: 1_048_576, receivingPerRun: 2_097_152, receivingTotal: 67_108_864)
        let start = Self.lengthPrefix(1 << 20) + [UInt8](repeating: 1, count: 1000)
        let sessions = try (0..<3).map { _ in try session(d, run: "greedy") }
        for s in sessions {
            try s.connection.sendRaw(start)
            usleep(200_000)   // in this order
        }
        let error = try nextError(on: sessions[2].connection)
        #expect(error.code == .memoryBudgetExceeded)
        #expect(error.message.contains("greedy") && error.message.contains("max_receiving_bytes_per_run"))
        var stillWaiting = false
        do { _ = try sessions[0].connection.receive(timeout: 0.3) } catch InfoplaneClientError.timedOut { stillWaiting = true }
        #expect(stillWaiting, "the run's first connections keep their frames")
        try expectOthersServed(d)
    }

    // MARK: - 4. Connections

    @Test func connectionsPastThePeerLimitAreToldWhy() throws {
        let d = try daemon("[ingest]\nmax_connections_per_peer = 3\n", http: true)
        var open = try (0..<3).map { try session(d, run: "conn-\($0)") }
        let fourth = try InfoplaneConnection(address: d.socketPath)
        let error = try nextError(on: fourth)
        #expect(error.code == .tooManyConnections && error.fatal)
        #expect(error.message.contains("uid \(getuid())"))
        try open.removeLast().goodbye()
        // The place is free once the daemon has seen the close; a try before that is refused
        // (and counted) too.
        var admitted = false
        var refusedRetries = 0
        for _ in 0..<50 where !admitted {
            let s = try InfoplaneSession(address: d.socketPath)
            admitted = (try? s.hello(run: "conn-again")) != nil
            if !admitted {
                refusedRetries += 1
                usleep(100_000)
            }
        }
        #expect(admitted)
        // Each budget is its own series in /metrics, counting every refusal.
        let metrics = try String(contentsOf: URL(string: "http://\(try #require(d.httpAddress))/metrics")!, encoding: .utf8)
        #expect(metrics.contains(#"infoplane_ingest_errors_by_code_total{code="TOO_MANY_CONNECTIONS"} \#(1 + refusedRetries)"#),
                "\(metrics)")
    }

    /// With a descriptor limit too small for `max_connections`, the daemon lowers the limit
    /// (keeping 256 descriptors for everything else) and refuses the connection past it
    /// with TOO_MANY_CONNECTIONS, instead of running out of descriptors.
    @Test func theConnectionLimitFitsTheDescriptorLimit() throws {
        let d = try daemon("[ingest]\nmax_connections_per_peer = 1000\n", resourceLimits: ["--nofile=400:400"])
        let notice = try #require(d.log.split(separator: "\n").first { $0.contains("ingest.max_connections lowered") })
        #expect(notice.contains("effective=144"), "\(notice)")
        let sessions = try (0..<144).map { try session(d, run: "fd-\($0)") }
        let past = try InfoplaneConnection(address: d.socketPath)
        let error = try nextError(on: past)
        #expect(error.code == .tooManyConnections && error.message.contains("144"))
        for s in sessions { s.connection.shutdownWrite() }
    }

    // MARK: - 10. Metadata

    @Test func metadataPastItsBudgetIsRefusedAtHello() throws {
        let d = try daemon("[ingest]\nmax_metadata_bytes = 1024\n")
        let s = try InfoplaneSession(address: d.socketPath)
        #expect {
            try s.hello(run: "meta", metadata: ["notes": String(repeating: "x", count: 2000)])
        } throws: { error in
            guard case InfoplaneClientError.server(let e) = error else { return false }
            return e.code == .metadataTooLarge && e.fatal && e.message.contains("1024")
        }
        _ = try session(d, run: "meta-small")
    }

    // MARK: - 3. Slow senders

    @Test func aFrameTrickledSlowerThanTheMinimumRateIsRefused() throws {
        let d = try daemon("""
            [ingest]
            min_frame_bytes_per_second = 1048576
            slow_sender_grace_ms = 500
            """)
        let s = try session(d, run: "slow")
        try s.connection.sendRaw(Self.lengthPrefix(1 << 20) + [1, 2, 3])
        let started = Date()
        var error: Infoplane_V1_Error?
        while error == nil, Date().timeIntervalSince(started) < 10 {
            try? s.connection.sendRaw([7])
            if let reply = try? s.connection.receive(timeout: 0.2), case .error(let e) = reply.kind { error = e }
        }
        #expect(error?.code == .senderTooSlow)
        #expect(error?.fatal == true)
        #expect(Date().timeIntervalSince(started) < 5)
        try expectOthersServed(d)
    }

    // MARK: - 6. Half-close

    @Test func aClientThatShutsDownItsSendingSideGetsEveryAnswer() throws {
        let d = try daemon("")
        let s = try session(d, run: "half-close")
        var batch: [UInt8] = []
        for step in 1...10 {
            var m = Infoplane_V1_ClientMessage()
            m.sequence = UInt64(step + 1)
            m.snapshot = SnapshotFactory.snapshot(step: Int64(step))
            let body: [UInt8] = try m.serializedBytes()
            batch += Self.lengthPrefix(UInt64(body.count)) + body
        }
        var bye = Infoplane_V1_ClientMessage()
        bye.sequence = 12
        bye.goodbye = Infoplane_V1_Goodbye()
        let body: [UInt8] = try bye.serializedBytes()
        batch += Self.lengthPrefix(UInt64(body.count)) + body
        try s.connection.sendRaw(batch)
        s.connection.shutdownWrite()
        var acked: [UInt64] = []
        while let reply = try s.connection.receive() {
            if case .ack(let a) = reply.kind { acked.append(a.sequence) }
        }
        #expect(acked == Array(2...12), "every message answered, in order")
        let report = try d.stopAndReadReport()
        #expect(report.tallies.filter { $0.run == "half-close" }.count == 10)
    }

    @Test func aStreamEndingInsideAFrameIsAnswered() throws {
        let d = try daemon("")
        let s = try session(d, run: "truncated")
        try s.connection.sendRaw(Self.lengthPrefix(5000) + [UInt8](repeating: 0, count: 100))
        s.connection.shutdownWrite()
        let error = try nextError(on: s.connection)
        #expect(error.code == .badFraming)
        #expect(error.message.contains("ended inside a frame"))
    }

    // MARK: - 8. Options

    @Test func anOptionThatWouldSpoilEveryFrameIsRefusedAtHello() throws {
        let d = try daemon("", sink: "monitor")
        for (options, name) in [({ (o: inout Infoplane_V1_RunOptions) in o.noiseSigma = 1e308 }, "noise_sigma"),
                                ({ (o: inout Infoplane_V1_RunOptions) in o.k = 100_000 }, "ksg_k")] {
            let s = try InfoplaneSession(address: d.socketPath)
            var hello = Infoplane_V1_Hello()
            hello.protocolVersion = InfoplaneProtocolVersion.current
            hello.runName = "options"
            options(&hello.options)
            var m = Infoplane_V1_ClientMessage()
            m.hello = hello
            try s.send(m)
            let error = try nextError(on: s.connection)
            #expect(error.code == .invalidArgument && error.fatal)
            #expect(error.message.contains(name), "\(error.message)")
        }
        try expectOthersServed(d)
    }

    // MARK: - 5. Layers per frame

    @Test func aFramePastTheLayerLimitIsRefused() throws {
        let d = try daemon("[assembly]\nmax_layers_per_frame = 4\n", sink: "monitor")
        let s = try session(d, run: "layers")
        for i in 0..<5 {
            try s.send(snapshot: SnapshotFactory.snapshot(step: 1, layer: "layer\(i)"))
        }
        try s.drain()
        #expect(s.acknowledged.count == 4)
        #expect(s.errors.map(\.code) == [.tooManyLayers])
        #expect(s.errors.first?.message.contains("max_layers_per_frame") == true)
    }

    // MARK: - 2, 8, 11. Configuration

    @Test func limitsFromFlagsAndFileShareOneCheck() throws {
        for flags in [["--max-message-bytes", "99999999999999"], ["--max-message-bytes", "0"], ["--credits", "0"]] {
            let run = try ProgramRun.run(DaemonProcess.binary, ["--check-config", "--config", "/dev/null"] + flags)
            #expect(run.status == 2, "\(flags): \(run.combined)")
            #expect(run.combined.contains(flags[0]) && run.combined.contains("out of range"), "\(run.combined)")
        }
        let dir = DaemonProcess.temporaryDirectory("cfg")
        for (toml, key) in [("[assembly]\nframe_timeout_seconds = 0\n", "assembly.frame_timeout_seconds"),
                            ("[compression]\nnoise_sigma = 1e308\n", "compression.noise_sigma"),
                            ("[ingest]\nmax_message_bytes = 99999999999999\n", "ingest.max_message_bytes"),
                            ("[ingest]\nmax_message_bytes = 4194304\nmax_receiving_bytes = 2097152\n", "ingest.max_message_bytes")] {
            let file = dir.appendingPathComponent("bad.toml")
            try toml.write(to: file, atomically: true, encoding: .utf8)
            let run = try ProgramRun.run(DaemonProcess.binary, ["--check-config", "--config", file.path])
            #expect(run.status == 2, "\(toml): \(run.combined)")
            #expect(run.combined.contains(key), "\(run.combined)")
        }
    }

    @Test func tcpIngestIsOffUnlessConfigured() throws {
        let run = try ProgramRun.run(DaemonProcess.binary, ["--check-config", "--config", "/dev/null"])
        #expect(run.status == 0)
        #expect(run.stdout.contains(#"tcp = """#), "\(run.stdout)")
    }
}
