import InfoplaneProtocol
import NIOCore
import SwiftProtobuf

/// What the ingest pipeline hands a session: a decoded client message, or the reason a
/// well-framed message could not be decoded (the stream itself is still usable).
enum IngestInbound: Sendable {
    case message(Infoplane_V1_ClientMessage, wireBytes: Int)
    case malformed(String)
}

/// Decodes each length-delimited frame into a `ClientMessage`.
final class ClientMessageDecoder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = IngestInbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let decoded: IngestInbound
        do {
            let message = try frame.readableBytesView.withContiguousStorageIfAvailable { bytes in
                try Infoplane_V1_ClientMessage(serializedBytes: UnsafeRawBufferPointer(bytes))
            } ?? Infoplane_V1_ClientMessage(serializedBytes: Array(frame.readableBytesView))
            decoded = .message(message, wireBytes: frame.readableBytes)
        } catch {
            decoded = .malformed("\(error)")
        }
        context.fireChannelRead(wrapInboundOut(decoded))
    }
}

/// Serialises each outbound `ServerMessage`; the frame encoder after it adds the length.
final class ServerMessageEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = Infoplane_V1_ServerMessage
    typealias OutboundOut = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let message = unwrapOutboundIn(data)
        do {
            let bytes: [UInt8] = try message.serializedBytes()
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.write(wrapOutboundOut(buffer), promise: promise)
        } catch {
            promise?.fail(error)
        }
    }
}
