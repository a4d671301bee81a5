import NIOCore
import Testing
@testable import InfoplaneProtocol

@Suite struct FramingTests {
    func framed(_ payloads: [[UInt8]]) -> ByteBuffer {
        var out = ByteBuffer()
        let encoder = LengthPrefixedFrameEncoder()
        for p in payloads { try! encoder.encode(data: ByteBuffer(bytes: p), out: &out) }
        return out
    }

    /// Feeds `input` to a decoder in pieces cut at `cuts` and returns the frames it produced.
    func decode(_ input: ByteBuffer, cuts: [Int], maximum: Int = 1 << 20) throws -> [[UInt8]] {
        var decoder = LengthPrefixedFrameDecoder(maximumFrameLength: maximum)
        var pending = ByteBuffer()
        var frames: [[UInt8]] = []
        var start = 0
        for end in cuts + [input.readableBytes] where end >= start {
            var piece = input.getSlice(at: input.readerIndex + start, length: end - start)!
            pending.writeBuffer(&piece)
            while let frame = try decoder.decode(buffer: &pending) { frames.append(Array(frame.readableBytesView)) }
            start = end
        }
        #expect(pending.readableBytes == 0)
        return frames
    }

    @Test func frameCutAtEveryByteBoundary() throws {
        let payloads: [[UInt8]] = [Array(0..<200).map { UInt8($0 & 0xff) }, [], [7, 8, 9]]
        let input = framed(payloads)
        for cut in 0...input.readableBytes {
            #expect(try decode(input, cuts: [cut]) == payloads, "cut at \(cut)")
        }
        // And byte by byte.
        #expect(try decode(input, cuts: Array(0...input.readableBytes)) == payloads)
    }

    @Test func manyFramesInOneBuffer() throws {
        let payloads = (0..<1000).map { i in [UInt8](repeating: UInt8(i % 251), count: i % 300) }
        #expect(try decode(framed(payloads), cuts: []) == payloads)
    }

    @Test func varintRoundTrip() throws {
        for v: UInt64 in [0, 1, 127, 128, 300, 16383, 16384, 1 << 35, UInt64.max] {
            var b = ByteBuffer()
            let n = b.writeVarint(v)
            let peeked = try LengthPrefixedFrameDecoder.peekVarint(b)
            #expect(peeked?.value == v)
            #expect(peeked?.bytes == n)
        }
    }

    @Test func badVarintIsRefused() throws {
        var decoder = LengthPrefixedFrameDecoder()
        var b = ByteBuffer(bytes: [UInt8](repeating: 0xff, count: 11))
        #expect(throws: FramingError.badVarint) { _ = try decoder.decode(buffer: &b) }
        var overflow = ByteBuffer(bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])
        #expect(throws: FramingError.badVarint) { _ = try decoder.decode(buffer: &overflow) }
    }

    @Test func frameOverTheLimitIsRefusedFromItsPrefix() throws {
        var decoder = LengthPrefixedFrameDecoder(maximumFrameLength: 1024)
        // Only the prefix of a 1 GiB frame has arrived: refused at once, nothing buffered.
        var b = ByteBuffer()
        b.writeVarint(1 << 30)
        #expect(throws: FramingError.frameTooLarge(announced: 1 << 30, maximum: 1024)) {
            _ = try decoder.decode(buffer: &b)
        }
        // Exactly at the limit is accepted.
        var ok = framed([[UInt8](repeating: 1, count: 1024)])
        #expect(try decoder.decode(buffer: &ok)?.readableBytes == 1024)
    }

    @Test func truncatedStreamAtEOF() throws {
        var decoder = LengthPrefixedFrameDecoder()
        var b = ByteBuffer(bytes: [5, 1, 2])
        #expect(throws: FramingError.truncatedFrame(bufferedBytes: 3)) {
            _ = try decoder.decodeLast(buffer: &b, seenEOF: true)
        }
    }
}
