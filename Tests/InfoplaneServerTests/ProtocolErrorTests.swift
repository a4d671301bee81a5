import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

/// Every refusal the protocol defines, provoked against a real daemon, with the exact code.
@Suite(.serialized) struct ProtocolErrorTests {
    let daemon: DaemonProcess

    init() throws {
        daemon = try DaemonProcess(arguments: ["--credits", "4", "--max-message-bytes", "65536"])
    }

    func session() throws -> InfoplaneSession {
        let s = try InfoplaneSession(address: daemon.socketPath)
        try s.hello(run: "errors")
        return s
    }

    /// Sends `snapshot` and returns the server's answer to it.
    func answer(to snapshot: Infoplane_V1_Snapshot, on s: InfoplaneSession) throws -> Infoplane_V1_Error? {
        let before = s.errors.count
        try s.send(snapshot: snapshot)
        try s.drain()
        return s.errors.count > before ? s.errors.last : nil
    }

    @Test func versionMismatchNamesBothVersions() throws {
        let s = try InfoplaneSession(address: daemon.socketPath)
        do {
            try s.hello(run: "old-client", protocolVersion: 7)
            Issue.record("Hello with version 7 was accepted")
        } catch InfoplaneClientError.server(let error) {
            #expect(error.code == .protocolVersionMismatch)
            #expect(error.fatal)
            #expect(error.message.contains("version 7"))
            #expect(error.message.contains("version 1"))
        }
        #expect(try s.connection.receive() == nil, "the server closes after a fatal error")
    }

    @Test func helloIsRequiredFirst() throws {
        let s = try InfoplaneSession(address: daemon.socketPath)
        var m = Infoplane_V1_ClientMessage()
        m.sequence = 1
        m.snapshot = SnapshotFactory.snapshot(step: 1)
        try s.connection.send(m)
        let reply = try #require(try s.connection.receive())
        #expect(reply.error.code == .helloRequired)
        #expect(reply.error.fatal)
    }

    @Test func eachValidationErrorHasItsCode() throws {
        let s = try session()
        var wrongBytes = SnapshotFactory.snapshot(step: 1)
        wrongBytes.values.data.removeLast(4)
        #expect(try answer(to: wrongBytes, on: s)?.code == .shapeMismatch)

        var fewerIDs = SnapshotFactory.snapshot(step: 1)
        fewerIDs.sampleIds = Infoplane_V1_Tensor(int64s: [1, 2, 3], shape: [3])
        #expect(try answer(to: fewerIDs, on: s)?.code == .sampleIdsMismatch)

        var repeatedIDs = SnapshotFactory.snapshot(step: 1, rows: 2)
        repeatedIDs.sampleIds = Infoplane_V1_Tensor(int64s: [5, 5], shape: [2])
        #expect(try answer(to: repeatedIDs, on: s)?.code == .sampleIdsMismatch)
        var repeatedApart = SnapshotFactory.snapshot(step: 1, rows: 5)
        repeatedApart.sampleIds = Infoplane_V1_Tensor(int64s: [9, 2, 7, -4, 2], shape: [5])
        #expect(try answer(to: repeatedApart, on: s)?.code == .sampleIdsMismatch)
        var shuffled = SnapshotFactory.snapshot(step: 1, rows: 5)
        shuffled.sampleIds = Infoplane_V1_Tensor(int64s: [9, 2, 7, -4, 3], shape: [5])
        #expect(try answer(to: shuffled, on: s) == nil, "distinct ids in any order are accepted")

        var nan = SnapshotFactory.snapshot(step: 1, rows: 2, columns: 2)
        nan.values = Infoplane_V1_Tensor(floats: [0, 1, .nan, 3], shape: [2, 2])
        #expect(try answer(to: nan, on: s)?.code == .nonFiniteValues)

        var badChunk = SnapshotFactory.snapshot(step: 1)
        badChunk.chunkIndex = 3
        badChunk.chunkCount = 3
        #expect(try answer(to: badChunk, on: s)?.code == .badChunk)
        badChunk.chunkCount = 0
        badChunk.chunkIndex = 0
        #expect(try answer(to: badChunk, on: s)?.code == .badChunk)

        #expect(try answer(to: SnapshotFactory.snapshot(step: -1), on: s)?.code == .negativeStep)

        var noDType = SnapshotFactory.snapshot(step: 1)
        noDType.values.dtype = .unspecified
        #expect(try answer(to: noDType, on: s)?.code == .unsupportedDtype)

        var otherRun = SnapshotFactory.snapshot(step: 1)
        otherRun.run = "someone-else"
        #expect(try answer(to: otherRun, on: s)?.code == .unknownRun)

        var noLayer = SnapshotFactory.snapshot(step: 1)
        noLayer.layer = ""
        #expect(try answer(to: noLayer, on: s)?.code == .invalidArgument)

        // After all that, the session still works and every refusal returned its credit.
        #expect(try answer(to: SnapshotFactory.snapshot(step: 2), on: s) == nil)
        #expect(s.credits == 4)
        #expect(s.errors.allSatisfy { !$0.fatal && $0.credits == 1 && !$0.message.isEmpty })
    }

    /// Messages refused without ending the session: the raw bytes sent, the error code,
    /// and the sequence of the heartbeat that must be acknowledged after.
    static let refusedMessages: [(raw: [UInt8], code: Infoplane_V1_ErrorCode, next: UInt64)] = [
        // A ClientMessage whose only field is an unknown field number 99 (varint 1):
        // sequence = 2, then field 99, wire type 0, value 1. Unknown-kind messages are not
        // counted against the sequence the session tracks.
        ([5, 0x08, 0x02, 0x98, 0x06, 0x01], .unknownMessageKind, 3),
        ([3, 0xff, 0xff, 0xff], .malformedMessage, 9),
    ]

    @Test(arguments: ProtocolErrorTests.refusedMessages)
    func aRefusedMessageLeavesTheSessionOpen(raw: [UInt8], code: Infoplane_V1_ErrorCode, next: UInt64) throws {
        let s = try session()
        try s.connection.sendRaw(raw)
        let reply = try #require(try s.connection.receive())
        #expect(reply.error.code == code)
        #expect(!reply.error.fatal)
        var heartbeat = Infoplane_V1_ClientMessage()
        heartbeat.sequence = next
        heartbeat.heartbeat = .init()
        try s.connection.send(heartbeat)
        #expect(try s.connection.receive()?.ack.sequence == next)
    }

    @Test func clientExceedingItsCreditsIsRefused() throws {
        let s = try session()
        // Ten snapshots in one write, without waiting for any Ack: 4 credits were granted.
        var burst: [UInt8] = []
        for i in 0..<10 {
            var m = Infoplane_V1_ClientMessage()
            m.sequence = UInt64(2 + i)
            m.snapshot = SnapshotFactory.snapshot(step: Int64(i), rows: 2, columns: 2)
            let body: [UInt8] = try m.serializedBytes()
            burst += [UInt8(body.count)] + body
        }
        try s.connection.sendRaw(burst)
        var acked: [UInt64] = []
        var refused: [UInt64] = []
        while acked.count + refused.count < 10 {
            let reply = try #require(try s.connection.receive())
            switch reply.kind {
            case .ack(let a): acked.append(a.sequence)
            case .error(let e):
                #expect(e.code == .creditsExceeded)
                #expect(e.credits == 0)
                refused.append(e.sequence)
            default: Issue.record("unexpected \(reply)")
            }
        }
        #expect(acked.sorted() == [2, 3, 4, 5])
        #expect(refused.sorted() == Array(6...11))
    }

    @Test func oversizedFrameIsRefusedFromItsPrefix() throws {
        let s = try session()
        // Announce 1 GiB; send only the prefix. The daemon must refuse without waiting.
        try s.connection.sendRaw([0x80, 0x80, 0x80, 0x80, 0x04])
        let reply = try #require(try s.connection.receive(timeout: 5))
        #expect(reply.error.code == .messageTooLarge)
        #expect(reply.error.fatal)
        #expect(reply.error.message.contains("65536"))
        #expect(try s.connection.receive() == nil)
    }

    @Test func badVarintBreaksOnlyThatConnection() throws {
        let s = try session()
        let other = try session()
        try s.connection.sendRaw([UInt8](repeating: 0xff, count: 12))
        let reply = try #require(try s.connection.receive())
        #expect(reply.error.code == .badFraming)
        #expect(reply.error.fatal)
        #expect(try answer(to: SnapshotFactory.snapshot(step: 3), on: other) == nil)
    }

    @Test func idleSessionIsClosed() throws {
        let quick = try DaemonProcess(arguments: ["--idle-timeout-ms", "300"])
        let s = try InfoplaneSession(address: quick.socketPath)
        try s.hello(run: "idle")
        let reply = try #require(try s.connection.receive(timeout: 5))
        #expect(reply.error.code == .idleTimeout)
        #expect(reply.error.fatal)
        #expect(try quick.stop() == 0)
    }

    /// The same idle timeout does not close a session that sends only Heartbeats, for well
    /// over the timeout: each is acknowledged, and Goodbye ends it cleanly. The 2.5 s of
    /// sending run on a thread of their own (`BlockingWorkers`), not on one of the two
    /// threads of the concurrency pool that in-process tests such as LiveEventTests need.
    @Test func heartbeatsKeepAQuietSessionOpen() async throws {
        let quick = try DaemonProcess(arguments: ["--idle-timeout-ms", "1000"])
        let socket = quick.socketPath
        let (sent, acknowledged, errors) = try await BlockingWorkers.run { () -> (Int, Int, [Infoplane_V1_Error]) in
            let s = try InfoplaneSession(address: socket)
            try s.hello(run: "quiet")
            let start = Date()
            var sent = 0
            while Date().timeIntervalSince(start) < 2.5 {
                try s.heartbeat()
                sent += 1
                usleep(100_000)
            }
            try s.drain()
            let outcome = (sent, s.acknowledged.count, s.errors)
            try s.goodbye()
            return outcome
        }
        #expect(errors.isEmpty, "\(errors)")
        #expect(acknowledged == sent)
        #expect(try quick.stop() == 0)
    }
}
