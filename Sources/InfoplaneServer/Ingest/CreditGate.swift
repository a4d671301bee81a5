import InfoplaneProtocol
import NIOCore

/// Enforces send credits at the edge of the pipeline.
///
/// A client may have at most `credits` Snapshot/Scalars messages that it sent and the
/// server has not answered (by Ack or Error). The gate counts such messages as they are
/// decoded, before the session processes them, and the credits returned by outgoing Acks
/// and Errors. A message beyond the client's credits is refused here with
/// `CREDITS_EXCEEDED` (not fatal, returns no credit since it spent none) and never reaches
/// the session, so an over-eager client cannot make the server buffer without bound.
final class CreditGate: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = IngestInbound
    typealias InboundOut = IngestInbound
    typealias OutboundIn = Infoplane_V1_ServerMessage
    typealias OutboundOut = Infoplane_V1_ServerMessage

    private let credits: Int
    private let statistics: IngestStatistics
    private var inFlight = 0

    init(credits: Int, statistics: IngestStatistics) {
        self.credits = credits
        self.statistics = statistics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .message(let message, _, _, _) = unwrapInboundIn(data), message.spendsCredit {
            if inFlight >= credits {
                let refusal = IngestRefusal(
                    .creditsExceeded,
                    "message \(message.sequence) exceeds the \(credits) send credits granted in Welcome; wait for an Ack before sending more (the message was not accepted)")
                statistics.countRefusal(.creditsExceeded)
                context.writeAndFlush(wrapOutboundOut(refusal.serverMessage(sequence: message.sequence, credits: 0)), promise: nil)
                return
            }
            inFlight += 1
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data).kind {
        case .ack(let ack): inFlight -= Int(ack.credits)
        case .error(let error): inFlight -= Int(error.credits)
        default: break
        }
        context.write(data, promise: promise)
    }
}
