import InfoplaneMonitor
import InfoplaneProtocol
@testable import InfoplaneServer
import Logging
import NIOCore
import NIOEmbedded
import Testing

/// An `IngestSession` behind the server's own handlers (`IngestChannelPipeline`) on an
/// `NIOAsyncTestingChannel`: client bytes in, server frames out, no socket.
@Suite struct IngestSessionTests {
    /// A sink that records what it took; `holdSnapshots` keeps each `accept` waiting until
    /// `release()`.
    actor RecordingSink: SnapshotSink {
        var runs: [String] = []
        var snapshots: [ProbeSnapshot] = []
        var ended: [(run: String, clean: Bool)] = []
        let holdSnapshots: Bool
        private var waiting: [CheckedContinuation<Void, Never>] = []

        init(holdSnapshots: Bool = false) { self.holdSnapshots = holdSnapshots }

        func runStarted(_ run: RunDescriptor) async throws -> String {
            runs.append(run.name)
            return "id-" + run.name
        }

        func accept(_ snapshot: ProbeSnapshot) async throws {
            if holdSnapshots { await withCheckedContinuation { waiting.append($0) } }
            snapshots.append(snapshot)
        }

        func accept(_ scalars: ScalarRecord) async throws {}

        func sessionEnded(run: String, clean: Bool) async { ended.append((run, clean)) }

        var waitingCount: Int { waiting.count }

        func release() {
            for continuation in waiting { continuation.resume() }
            waiting = []
        }
    }

    struct Running {
        let channel: NIOAsyncTestingChannel
        let session: Task<Void, Never>
        let statistics: IngestStatistics

        /// Sends `message` framed, optionally cut in two reads at `cut`.
        func send(_ message: Infoplane_V1_ClientMessage, cut: Int? = nil) async throws {
            var frame = try WireFrames.framed(message)
            if let cut { try await channel.writeInbound(frame.readSlice(length: cut)!) }
            try await channel.writeInbound(frame)
        }

        /// The next server message the session wrote.
        func reply() async throws -> Infoplane_V1_ServerMessage {
            let bytes = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
            let messages = try WireFrames.serverMessages(in: bytes)
            try #require(messages.count == 1)
            return messages[0]
        }

        /// Closes the connection (when the session has not) and waits for the session.
        func end() async throws {
            try? await channel.close()
            await session.value
        }
    }

    func start(sink: RecordingSink, credits: Int = 4) async throws -> Running {
        var settings = IngestConfiguration()
        settings.credits = credits
        let configuration = settings
        let statistics = IngestStatistics()
        let channel = NIOAsyncTestingChannel()
        let connection = try await channel.testingEventLoop.executeInContext {
            try IngestChannelPipeline.install(
                on: channel, configuration: configuration, statistics: statistics,
                memory: ConnectionMemoryAccount(budget: ReceiveMemoryBudget(totalLimit: 1 << 30, perRunLimit: 1 << 30)),
                peer: .unknown, refusal: nil)
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7411))
        let session = IngestSession(connection: connection, sessionID: 7, configuration: configuration, sink: sink,
                                    statistics: statistics, registry: SessionRegistry(), logger: Logger(label: "test"))
        return Running(channel: channel, session: Task { await session.run() }, statistics: statistics)
    }

    @Test func helloSnapshotGoodbyeAreWelcomedAndAcknowledged() async throws {
        let sink = RecordingSink()
        let running = try await start(sink: sink)
        try await running.send(WireFrames.hello(run: "embedded"), cut: 3)
        let welcome = try await running.reply()
        guard case .welcome(let w) = welcome.kind else {
            Issue.record("expected Welcome, got \(welcome)")
            return
        }
        #expect(w.runName == "embedded" && w.runID == "id-embedded" && w.sessionID == 7 && w.credits == 4)

        try await running.send(WireFrames.snapshot(sequence: 1, step: 3), cut: 10)
        let ack = try await running.reply()
        #expect(ack.ack.sequence == 1 && ack.ack.credits == 1)
        #expect(await sink.snapshots.map(\.step) == [3])

        try await running.send(WireFrames.goodbye(sequence: 2))
        let bye = try await running.reply()
        #expect(bye.ack.sequence == 2 && bye.ack.credits == 0)
        try await running.end()
        #expect(await sink.ended.map(\.clean) == [true])
        #expect(running.statistics.values.snapshotsAccepted == 1)
    }

    @Test func aSnapshotBeforeHelloIsRefusedAndTheSessionCloses() async throws {
        let sink = RecordingSink()
        let running = try await start(sink: sink)
        try await running.send(WireFrames.snapshot(sequence: 1))
        let refusal = try await running.reply()
        #expect(WireFrames.errorCode(refusal) == .helloRequired)
        #expect(refusal.error.fatal && refusal.error.sequence == 1 && refusal.error.credits == 1)
        try await running.end()
        #expect(await sink.runs.isEmpty)
        #expect(await sink.snapshots.isEmpty)
    }

    @Test func aSecondHelloIsRefusedButTheSessionGoesOn() async throws {
        let running = try await start(sink: RecordingSink())
        try await running.send(WireFrames.hello(run: "once"))
        _ = try await running.reply()
        try await running.send(WireFrames.hello(run: "twice", sequence: 1))
        let refusal = try await running.reply()
        #expect(WireFrames.errorCode(refusal) == .duplicateHello && !refusal.error.fatal)
        try await running.send(WireFrames.heartbeat(sequence: 2))
        #expect(try await running.reply().ack.sequence == 2)
        try await running.end()
    }

    @Test func creditsHoldBackAClientWhileTheSinkIsBusy() async throws {
        let sink = RecordingSink(holdSnapshots: true)
        let running = try await start(sink: sink, credits: 1)
        try await running.send(WireFrames.hello(run: "busy"))
        _ = try await running.reply()

        // The first snapshot waits in the sink; the second is over the one credit.
        try await running.send(WireFrames.snapshot(sequence: 1))
        try await running.send(WireFrames.snapshot(sequence: 2))
        let refusal = try await running.reply()
        #expect(WireFrames.errorCode(refusal) == .creditsExceeded)
        #expect(refusal.error.sequence == 2 && refusal.error.credits == 0)

        while await sink.waitingCount == 0 { await Task.yield() }
        await sink.release()
        let ack = try await running.reply()
        #expect(ack.ack.sequence == 1 && ack.ack.credits == 1)
        // The credit is back: the next one is taken.
        try await running.send(WireFrames.snapshot(sequence: 3, step: 2))
        while await sink.waitingCount == 0 { await Task.yield() }
        await sink.release()
        #expect(try await running.reply().ack.sequence == 3)
        #expect(await sink.snapshots.map(\.step) == [1, 2])
        try await running.end()
    }

    @Test func anOversizePrefixEndsTheSessionWithMessageTooLarge() async throws {
        let running = try await start(sink: RecordingSink())
        var prefix = ByteBuffer()
        prefix.writeVarint(UInt64(IngestConfiguration().maxMessageBytes) + 1)
        // The testing channel also rethrows the framing error that reached the pipeline's end.
        await #expect(throws: FramingError.frameTooLarge(announced: UInt64(IngestConfiguration().maxMessageBytes) + 1,
                                                        maximum: IngestConfiguration().maxMessageBytes)) {
            try await running.channel.writeInbound(prefix)
        }
        let refusal = try await running.reply()
        #expect(WireFrames.errorCode(refusal) == .messageTooLarge && refusal.error.fatal)
        try await running.end()
    }
}
