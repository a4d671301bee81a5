import Foundation
import InfoplaneProtocol
import NIOCore
import SwiftProtobuf

/// What the ingest pipeline hands a session: a decoded client message, or the reason a
/// well-framed message could not be decoded (the stream itself is still usable).
enum IngestInbound: Sendable {
    /// `snapshotValues`: for a large Snapshot, its tensor's bytes, still in the frame
    /// buffer; the message's `snapshot.values.data` is then empty (see
    /// `SnapshotValuesSplitter`); `valuesCheckedFinite`: those bytes, read as F32, were
    /// checked finite while the frame was assembled.
    case message(Infoplane_V1_ClientMessage, wireBytes: Int, snapshotValues: ByteBuffer?, valuesCheckedFinite: Bool)
    case malformed(String)
}

/// Decodes each length-delimited frame into a `ClientMessage`. A Snapshot's tensor bytes
/// are not copied: swift-protobuf decodes the frame without them and the session reads
/// them from the frame buffer.
final class ClientMessageDecoder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = AssembledFrame
    typealias InboundOut = IngestInbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let assembled = unwrapInboundIn(data)
        let frame = assembled.bytes
        let decoded: IngestInbound
        do {
            decoded = try frame.withUnsafeReadableBytes { bytes in
                if let split = SnapshotValuesSplitter.split(bytes) {
                    let message = try Infoplane_V1_ClientMessage(serializedBytes: split.header)
                    // A later oneof field can replace the snapshot; its bytes are then moot.
                    guard case .snapshot = message.kind else {
                        return .message(message, wireBytes: frame.readableBytes, snapshotValues: nil, valuesCheckedFinite: false)
                    }
                    let values = frame.getSlice(at: frame.readerIndex + split.valuesData.lowerBound, length: split.valuesData.count)
                    return .message(message, wireBytes: frame.readableBytes, snapshotValues: values,
                                    valuesCheckedFinite: assembled.checkedFiniteFloat32 == split.valuesData)
                }
                return .message(try Self.decodeClientMessage(bytes), wireBytes: frame.readableBytes, snapshotValues: nil, valuesCheckedFinite: false)
            }
        } catch {
            decoded = .malformed("\(error)")
        }
        context.fireChannelRead(wrapInboundOut(decoded))
    }

    /// Decodes a `ClientMessage` from bytes valid only during the call, without copying them
    /// first: swift-protobuf reads `Data`, which here wraps the bytes in place (its decoder
    /// copies every bytes field it keeps, so nothing refers to them afterwards).
    static func decodeClientMessage(_ bytes: UnsafeRawBufferPointer) throws -> Infoplane_V1_ClientMessage {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return try Infoplane_V1_ClientMessage(serializedBytes: Data()) }
        return try Infoplane_V1_ClientMessage(
            serializedBytes: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none))
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
