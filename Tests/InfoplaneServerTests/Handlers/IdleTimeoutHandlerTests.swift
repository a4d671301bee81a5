import InfoplaneProtocol
@testable import InfoplaneServer
import NIOCore
import NIOEmbedded
import Testing

/// `IdleTimeoutHandler` on an `EmbeddedChannel`: when the `IdleStateHandler` before it
/// reports the read side idle, the client gets an IDLE_TIMEOUT Error and the connection is
/// closed. The event is fired by the test: NIO's `IdleStateHandler` measures idleness on
/// the wall clock, which an embedded loop's advanced time does not move.
@Suite struct IdleTimeoutHandlerTests {
    func channel(timeoutMilliseconds: Int) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: IdleTimeoutHandler(timeoutMilliseconds: timeoutMilliseconds))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7411)).wait()
        return channel
    }

    @Test func aSilentSessionIsToldWhyAndClosed() throws {
        let channel = try channel(timeoutMilliseconds: 500)
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.read)
        let refusal = try #require(try channel.readOutbound(as: Infoplane_V1_ServerMessage.self))
        #expect(WireFrames.errorCode(refusal) == .idleTimeout)
        #expect(refusal.error.fatal && refusal.error.sequence == 0 && refusal.error.credits == 0)
        #expect(refusal.error.message.contains("500 ms"))
        #expect(!channel.isActive)
    }

    @Test func otherIdleEventsAndMessagesPassThrough() throws {
        let channel = try channel(timeoutMilliseconds: 500)
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.write)
        try channel.writeInbound(IngestInbound.malformed("anything"))
        guard case .malformed(let reason)? = try channel.readInbound(as: IngestInbound.self) else {
            Issue.record("the message did not pass")
            return
        }
        #expect(reason == "anything")
        #expect(try channel.readOutbound(as: Infoplane_V1_ServerMessage.self) == nil)
        #expect(channel.isActive)
    }
}
