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
///
/// Frames that span reads are charged to the connection's memory account while they
/// arrive; a frame in progress that arrives slower than the minimum rate (judged after a
/// grace period) ends the connection with `FramingError.senderTooSlow`: a sender that
/// trickles a byte every few seconds would otherwise hold its frame's memory forever. Time
/// is the event loop's (`EventLoop.now`: the wall clock, or an embedded loop's in tests).
final class FrameAssemblingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = AssembledFrame

    /// The minimum rate for a frame in progress; nil: none.
    struct SlowSenderPolicy {
        var minimumBytesPerSecond: Int
        var grace: TimeAmount
    }

    private var assembler: LengthPrefixedFrameAssembler
    private var failed = false
    private let slowSender: SlowSenderPolicy?
    /// When the frame in progress started, and the repeating check watching it.
    private var frameStarted: NIODeadline?
    private var rateCheck: RepeatedTask?

    init(maximumFrameLength: Int, memoryAccount: (any FrameMemoryAccount)? = nil, slowSender: SlowSenderPolicy? = nil) {
        assembler = LengthPrefixedFrameAssembler(maximumFrameLength: maximumFrameLength)
        assembler.float32ValuesLocator = { SnapshotValuesSplitter.valuesData(inPrefix: $0, frameLength: $1) }
        assembler.memoryAccount = memoryAccount
        self.slowSender = slowSender
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var input = unwrapInboundIn(data)
        do {
            while let frame = try assembler.next(from: &input) {
                frameStarted = nil
                context.fireChannelRead(wrapInboundOut(AssembledFrame(bytes: frame, checkedFiniteFloat32: assembler.checkedFiniteFloat32)))
            }
        } catch {
            fail(error, context: context)
            return
        }
        if assembler.frameInProgress != nil, frameStarted == nil {
            frameStarted = context.eventLoop.now
            startRateCheck(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        checkEndOfStream(context: context)
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
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
        release()
        context.fireErrorCaught(error)
    }

    /// Gives back the memory of the frame in progress and stops watching its rate.
    private func release() {
        assembler.discardPartialFrame()
        frameStarted = nil
        rateCheck?.cancel()
        rateCheck = nil
    }

    private func startRateCheck(context: ChannelHandlerContext) {
        guard let policy = slowSender, policy.minimumBytesPerSecond > 0, rateCheck == nil else { return }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        rateCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: policy.grace, delay: .seconds(1)) { _ in
            bound.value.handler.checkRate(context: bound.value.context, policy: policy)
        }
    }

    private func checkRate(context: ChannelHandlerContext, policy: SlowSenderPolicy) {
        guard !failed, let started = frameStarted, let progress = assembler.frameInProgress else { return }
        let elapsed = context.eventLoop.now - started
        guard elapsed >= policy.grace else { return }
        let seconds = Double(elapsed.nanoseconds) / 1e9
        if Double(progress.arrived) < Double(policy.minimumBytesPerSecond) * seconds {
            fail(.senderTooSlow(arrived: progress.arrived, announced: progress.length, seconds: seconds,
                                minimumBytesPerSecond: policy.minimumBytesPerSecond), context: context)
        }
    }
}
