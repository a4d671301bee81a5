import InfoplaneProtocol
import NIOCore

/// Closes a session that has sent nothing for the idle timeout, telling the client why.
/// Sits after an `IdleStateHandler` configured with the read timeout.
final class IdleTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = IngestInbound
    typealias OutboundOut = Infoplane_V1_ServerMessage

    private let timeoutMilliseconds: Int

    init(timeoutMilliseconds: Int) {
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            let refusal = IngestRefusal(
                .idleTimeout,
                "nothing received for \(timeoutMilliseconds) ms; send a Heartbeat at least every heartbeat_interval_ms given in Welcome",
                fatal: true)
            // Close once the Error is written, on this event loop (the future completes there).
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(refusal.serverMessage(sequence: 0, credits: 0))).whenComplete { _ in
                boundContext.value.close(promise: nil)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
