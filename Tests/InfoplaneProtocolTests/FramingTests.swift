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

    /// Feeds `input` to an assembler in pieces cut at `cuts` and returns the frames it produced.
    func decode(_ input: ByteBuffer, cuts: [Int], maximum: Int = 1 << 20) throws -> [[UInt8]] {
        var assembler = LengthPrefixedFrameAssembler(maximumFrameLength: maximum)
        var frames: [[UInt8]] = []
        var start = 0
        for end in cuts + [input.readableBytes] where end >= start {
            var piece = input.getSlice(at: input.readerIndex + start, length: end - start)!
            while let frame = try assembler.next(from: &piece) { frames.append(Array(frame.readableBytesView)) }
            #expect(piece.readableBytes == 0)
            start = end
        }
        #expect(assembler.bufferedBytes == 0)
        try assembler.finish()
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
            let peeked = try LengthPrefixedFrameAssembler.peekVarint(b)
            #expect(peeked?.value == v)
            #expect(peeked?.bytes == n)
        }
    }

    @Test func badVarintIsRefused() throws {
        var assembler = LengthPrefixedFrameAssembler()
        var b = ByteBuffer(bytes: [UInt8](repeating: 0xff, count: 11))
        #expect(throws: FramingError.badVarint) { _ = try assembler.next(from: &b) }
        var overflow = ByteBuffer(bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])
        var fresh = LengthPrefixedFrameAssembler()
        #expect(throws: FramingError.badVarint) { _ = try fresh.next(from: &overflow) }
        // Also when the bad prefix arrives a byte at a time.
        var bytewise = LengthPrefixedFrameAssembler()
        #expect(throws: FramingError.badVarint) {
            for _ in 0..<11 {
                var one = ByteBuffer(bytes: [0xff])
                _ = try bytewise.next(from: &one)
            }
        }
    }

    @Test func frameOverTheLimitIsRefusedFromItsPrefix() throws {
        var assembler = LengthPrefixedFrameAssembler(maximumFrameLength: 1024)
        // Only the prefix of a 1 GiB frame has arrived: refused at once, nothing buffered.
        var b = ByteBuffer()
        b.writeVarint(1 << 30)
        #expect(throws: FramingError.frameTooLarge(announced: 1 << 30, maximum: 1024)) {
            _ = try assembler.next(from: &b)
        }
        // Exactly at the limit is accepted.
        var ok = framed([[UInt8](repeating: 1, count: 1024)])
        var atLimit = LengthPrefixedFrameAssembler(maximumFrameLength: 1024)
        #expect(try atLimit.next(from: &ok)?.readableBytes == 1024)
    }

    @Test func truncatedStreamAtEOF() throws {
        var assembler = LengthPrefixedFrameAssembler()
        var b = ByteBuffer(bytes: [5, 1, 2])
        #expect(try assembler.next(from: &b) == nil)
        #expect(throws: FramingError.truncatedFrame(bufferedBytes: 2)) { try assembler.finish() }  // of 5 announced
        var prefixOnly = LengthPrefixedFrameAssembler()
        var half = ByteBuffer(bytes: [0x80])
        #expect(try prefixOnly.next(from: &half) == nil)
        #expect(throws: FramingError.truncatedFrame(bufferedBytes: 1)) { try prefixOnly.finish() }
    }

    /// A frame spread over many pieces is filled into one buffer allocated once at exactly its
    /// size: it never regrows and wastes nothing.
    @Test(arguments: [100_000, 3_000_017])  // below and above the streaming-copy threshold
    func aFrameAcrossPiecesIsAssembledOnceIntoItsOwnBuffer(size: Int) throws {
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        var input = framed([payload, [1, 2, 3]])
        var assembler = LengthPrefixedFrameAssembler()
        var frames: [ByteBuffer] = []
        while input.readableBytes > 0 {
            var piece = input.readSlice(length: min(65_537, input.readableBytes))!
            while let frame = try assembler.next(from: &piece) { frames.append(frame) }
        }
        #expect(frames.count == 2)
        #expect(frames[0].capacity == payload.count)
        #expect(Array(frames[0].readableBytesView) == payload)
        #expect(Array(frames[1].readableBytesView) == [1, 2, 3])
    }

    /// A large frame's F32 values are checked while it is assembled, whatever the cuts: a NaN
    /// anywhere in the located range (also in a value split across two pieces) clears the
    /// verdict, bytes outside the range do not matter.
    @Test(arguments: [0, 1, 2, 3])
    func valuesAreCheckedForNaNWhileTheFrameIsAssembled(phase: Int) throws {
        let header = 100 + phase                       // values start at this frame offset
        let valueCount = 300_000                       // 1.2 MB: above the streaming threshold
        let region = header..<(header + valueCount * 4)
        func frame(poisoning index: Int?) -> [UInt8] {
            var values = (0..<valueCount).map { Float($0 % 977) * 0.5 - 100 }
            if let index { values[index] = .nan }
            var bytes = [UInt8](repeating: 0xff, count: header)   // 0xff..: would read as NaN
            values.withUnsafeBytes { bytes += $0 }
            return bytes + [0xff, 0xff, 0xff, 0x7f]               // after the range: ignored
        }
        // Piece sizes that cut values at every offset mod 4.
        for (poison, expectedFinite) in [(nil, true), (0, false), (valueCount - 1, false), (16_385, false), (123_457, false)] as [(Int?, Bool)] {
            let body = frame(poisoning: poison)
            var input = framed([body])
            var assembler = LengthPrefixedFrameAssembler()
            assembler.float32ValuesLocator = { _, length in length == body.count ? region : nil }
            var got: [UInt8]?
            var sizes = [65_537, 4_099, 1, 2, 3, 131_071]
            while input.readableBytes > 0 {
                let size = sizes.removeFirst(); sizes.append(size)
                var piece = input.readSlice(length: min(size, input.readableBytes))!
                while let f = try assembler.next(from: &piece) { got = Array(f.readableBytesView) }
            }
            #expect(got == body)
            #expect(assembler.checkedFiniteFloat32 == (expectedFinite ? region : nil), "phase \(phase) poison \(String(describing: poison))")
        }
    }
}
