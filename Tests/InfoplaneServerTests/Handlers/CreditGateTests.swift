import InfoplaneProtocol
@testable import InfoplaneServer
import NIOCore
import NIOEmbedded
import Testing

/// `CreditGate` on an `EmbeddedChannel`: at most `credits` Snapshot/Scalars unanswered; one
/// more is refused with CREDITS_EXCEEDED and never reaches the session; answers give the
/// credits back.
@Suite struct CreditGateTests {
    let statistics = IngestStatistics()

    func gate(credits: Int) throws -> EmbeddedChannel {
        EmbeddedChannel(handler: CreditGate(credits: credits, statistics: statistics))
    }

    func send(_ message: Infoplane_V1_ClientMessage, to channel: EmbeddedChannel) throws -> Bool {
        try channel.writeInbound(IngestInbound.message(message, wireBytes: 1, snapshotValues: nil, valuesCheckedFinite: false))
        guard case .message(let passed, _, _, _)? = try channel.readInbound(as: IngestInbound.self) else { return false }
        #expect(passed.sequence == message.sequence)
        return true
    }

    func answer(_ sequence: UInt64, credits: UInt32, on channel: EmbeddedChannel) throws {
        var ack = Infoplane_V1_ServerMessage()
        ack.ack.sequence = sequence
        ack.ack.credits = credits
        try channel.writeOutbound(ack)
        #expect(try channel.readOutbound(as: Infoplane_V1_ServerMessage.self) == ack, "answers pass through")
    }

    @Test func aMessageBeyondTheCreditsIsRefusedUntilAnAckReturnsOne() throws {
        let channel = try gate(credits: 2)
        #expect(try send(WireFrames.snapshot(sequence: 1), to: channel))
        #expect(try send(WireFrames.snapshot(sequence: 2), to: channel))
        #expect(try channel.readOutbound(as: Infoplane_V1_ServerMessage.self) == nil)

        // The third is answered here, returns no credit, and the session never sees it.
        #expect(try !send(WireFrames.snapshot(sequence: 3), to: channel))
        let refusal = try #require(try channel.readOutbound(as: Infoplane_V1_ServerMessage.self))
        #expect(WireFrames.errorCode(refusal) == .creditsExceeded)
        #expect(refusal.error.sequence == 3 && refusal.error.credits == 0 && !refusal.error.fatal)
        #expect(statistics.values.errorsByCode == ["CREDITS_EXCEEDED": 1])

        // An Ack returning one credit lets the next one through, and only one.
        try answer(1, credits: 1, on: channel)
        #expect(try send(WireFrames.snapshot(sequence: 4), to: channel))
        #expect(try !send(WireFrames.snapshot(sequence: 5), to: channel))
        #expect(WireFrames.errorCode(try channel.readOutbound(as: Infoplane_V1_ServerMessage.self)) == .creditsExceeded)
        #expect(try channel.finish().isClean)
    }

    @Test func messagesThatSpendNoCreditAlwaysPass() throws {
        let channel = try gate(credits: 1)
        #expect(try send(WireFrames.hello(), to: channel))
        #expect(try send(WireFrames.snapshot(sequence: 1), to: channel))
        #expect(try send(WireFrames.heartbeat(sequence: 2), to: channel))
        #expect(try send(WireFrames.goodbye(sequence: 3), to: channel))
        #expect(try channel.readOutbound(as: Infoplane_V1_ServerMessage.self) == nil)
    }

    @Test func anErrorThatReturnsACreditFreesItToo() throws {
        let channel = try gate(credits: 1)
        #expect(try send(WireFrames.snapshot(sequence: 1), to: channel))
        var refused = Infoplane_V1_ServerMessage()
        refused.error.code = .badChunk
        refused.error.sequence = 1
        refused.error.credits = 1
        try channel.writeOutbound(refused)
        _ = try channel.readOutbound(as: Infoplane_V1_ServerMessage.self)
        #expect(try send(WireFrames.snapshot(sequence: 2), to: channel))
    }
}
