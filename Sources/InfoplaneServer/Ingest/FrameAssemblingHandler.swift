import InfoplaneProtocol
import NIOCore

/// A whole frame, and the range of it whose F32 values were checked finite while it was
/// assembled (a large Snapshot's tensor), if any.
struct AssembledFrame {
    var bytes: ByteBuffer
    var checkedFiniteFloat32: Range<Int>?
}

/// The ingest pipeline's framing stage: hands each whole length-delimited frame on as its
/// own `ByteBuffer` (see `LengthPrefixedFrameAssembler` for why not NIO's
/// `ByteToMessageHandler`). After a framing error the stream's framing is lost: the error
/// goes down the pipeline once and later bytes are ignored. The values of a large Snapshot
/// are checked for NaN and infinity as its pieces arrive (`SnapshotValuesSplitter` finds
/// them in the first piece).
final class FrameAssemblingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = AssembledFrame

    private var assembler: LengthPrefixedFrameAssembler
    private var failed = false

    init(maximumFrameLength: Int) {
        assembler = LengthPrefixedFrameAssembler(maximumFrameLength: maximumFrameLength)
        assembler.float32ValuesLocator = { SnapshotValuesSplitter.valuesData(inPrefix: $0, frameLength: $1) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var input = unwrapInboundIn(data)
        do {
            while let frame = try assembler.next(from: &input) {
                context.fireChannelRead(wrapInboundOut(AssembledFrame(bytes: frame, checkedFiniteFloat32: assembler.checkedFiniteFloat32)))
            }
        } catch {
            fail(error, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        checkEndOfStream(context: context)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { checkEndOfStream(context: context) }
        context.fireUserInboundEventTriggered(event)
    }

    private func checkEndOfStream(context: ChannelHandlerContext) {
        guard !failed else { return }
        do { try assembler.finish() } catch { fail(error, context: context) }
    }

    private func fail(_ error: FramingError, context: ChannelHandlerContext) {
        failed = true
        context.fireErrorCaught(error)
    }
}
