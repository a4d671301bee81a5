import InfoplaneProtocol
@testable import InfoplaneServer
import NIOCore
import NIOEmbedded
import Testing

/// `FrameAssemblingHandler` on an `EmbeddedChannel`: whole frames out of reads cut
/// anywhere, an oversize length prefix refused before its bytes arrive, and a frame that
/// trickles in slower than the minimum rate ended (the embedded loop's clock advanced).
@Suite struct FrameAssemblingHandlerTests {
    func frames(from channel: EmbeddedChannel) throws -> [ByteBuffer] {
        var out: [ByteBuffer] = []
        while let frame = try channel.readInbound(as: AssembledFrame.self) { out.append(frame.bytes) }
        return out
    }

    func payload(_ count: Int, seed: UInt8) -> ByteBuffer {
        ByteBuffer(bytes: (0..<count).map { UInt8(truncatingIfNeeded: $0) &+ seed })
    }

    func framed(_ payload: ByteBuffer) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeVarint(UInt64(payload.readableBytes))
        buffer.writeImmutableBuffer(payload)
        return buffer
    }

    @Test func aFrameSplitAcrossReadsComesOutWholeOnce() throws {
        let channel = EmbeddedChannel(handler: FrameAssemblingHandler(maximumFrameLength: 1 << 20))
        let body = payload(300, seed: 7)
        var stream = framed(body)
        // The two-byte length prefix itself is cut, then the body in two.
        for cut in [1, 1, 150] {
            try channel.writeInbound(stream.readSlice(length: cut)!)
            #expect(try frames(from: channel).isEmpty)
        }
        try channel.writeInbound(stream)
        #expect(try frames(from: channel) == [body])
        #expect(try channel.finish().isClean)
    }

    @Test func severalFramesInOneReadComeOutInOrder() throws {
        let channel = EmbeddedChannel(handler: FrameAssemblingHandler(maximumFrameLength: 1024))
        let bodies = [payload(5, seed: 1), payload(200, seed: 2), payload(0, seed: 3), payload(64, seed: 4)]
        var stream = ByteBuffer()
        for body in bodies { stream.writeImmutableBuffer(framed(body)) }
        try channel.writeInbound(stream)
        #expect(try frames(from: channel) == bodies)
    }

    @Test func anOversizePrefixIsRefusedAndLaterBytesIgnored() throws {
        let channel = EmbeddedChannel(handler: FrameAssemblingHandler(maximumFrameLength: 1024))
        var prefix = ByteBuffer()
        prefix.writeVarint(1025)
        #expect(throws: FramingError.frameTooLarge(announced: 1025, maximum: 1024)) {
            try channel.writeInbound(prefix)
        }
        // The framing is lost: a well-formed frame after it yields nothing, and no second error.
        try channel.writeInbound(framed(payload(10, seed: 0)))
        #expect(try frames(from: channel).isEmpty)
    }

    @Test func theStreamEndingInsideAFrameIsATruncatedFrame() throws {
        let channel = EmbeddedChannel(handler: FrameAssemblingHandler(maximumFrameLength: 1024))
        var stream = framed(payload(100, seed: 0))
        try channel.writeInbound(stream.readSlice(length: 40)!)
        #expect(throws: FramingError.truncatedFrame(bufferedBytes: 39)) {
            try channel.close().wait()
            try channel.throwIfErrorCaught()
        }
    }

    @Test func aFrameArrivingTooSlowlyEndsAfterTheGrace() throws {
        let loop = EmbeddedEventLoop()
        let handler = FrameAssemblingHandler(maximumFrameLength: 1 << 20,
                                             slowSender: .init(minimumBytesPerSecond: 100, grace: .seconds(5)))
        let channel = EmbeddedChannel(handler: handler, loop: loop)
        var stream = framed(payload(10_000, seed: 0))
        // 300 bytes in the first second: under 100 B/s only after the grace's 5 s.
        try channel.writeInbound(stream.readSlice(length: 300)!)
        loop.advanceTime(by: .seconds(2))
        try channel.throwIfErrorCaught()
        loop.advanceTime(by: .seconds(2))
        try channel.throwIfErrorCaught()
        loop.advanceTime(by: .seconds(2))
        #expect(throws: FramingError.self) { try channel.throwIfErrorCaught() }
        // The rest of the frame, when it comes, is ignored.
        try channel.writeInbound(stream)
        #expect(try frames(from: channel).isEmpty)
    }

    @Test func aFrameArrivingFastEnoughIsKept() throws {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(
            handler: FrameAssemblingHandler(maximumFrameLength: 1 << 20, slowSender: .init(minimumBytesPerSecond: 100, grace: .seconds(1))),
            loop: loop)
        let body = payload(2_000, seed: 9)
        var stream = framed(body)
        for _ in 0..<3 {
            try channel.writeInbound(stream.readSlice(length: 500)!)
            loop.advanceTime(by: .seconds(2))
            try channel.throwIfErrorCaught()
        }
        try channel.writeInbound(stream)
        #expect(try frames(from: channel) == [body])
    }
}
