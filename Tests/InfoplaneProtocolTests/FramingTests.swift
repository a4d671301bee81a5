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

    /// The streaming copy that also checks F32 values: the copy is exact and the verdict is
    /// the one a value-by-value check gives, for every phase of the values against the
    /// destination's alignment, ranges shorter and longer than one 64-byte window, and a NaN
    /// or infinity at every value position of a range's first and last 80 bytes (where the
    /// vector windows and the one-by-one edges meet) and at a spread of middle positions.
    @Test(arguments: [0, 1, 2, 3])
    func streamingCopyChecksExactlyTheValuesOfItsRange(beginPhase: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let finiteValues = (0..<4_000).map { _ in Float.random(in: -1e6...1e6, using: &generator) }
        func naiveContainsNonFinite(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
            stride(from: range.lowerBound, to: range.upperBound, by: 4).contains { i in
                !Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24).isFinite
            }
        }
        for destinationOffset in [0, 1, 5, 12, 15] {        // frame bytes already written
            for (begin, valueCount) in [(beginPhase, 0), (beginPhase + 4, 3), (beginPhase + 8, 16), (beginPhase + 64, 17),
                                        (beginPhase + 100, 40), (beginPhase + 12, 2_000), (beginPhase, 4_000)] {
                let range = begin..<(begin + 4 * valueCount)
                var poisonAt: [Int?] = [nil]
                for k in 0..<min(valueCount, 20) { poisonAt += [k, valueCount - 1 - k] }
                poisonAt += stride(from: 0, to: valueCount, by: 97).map { $0 }
                for (n, poison) in poisonAt.enumerated() {
                    // Outside the range every byte reads as NaN whatever the phase: must not count.
                    var bytes = [UInt8](repeating: 0xff, count: range.lowerBound)
                    finiteValues.prefix(valueCount).withUnsafeBytes { bytes += $0 }
                    bytes += [UInt8](repeating: 0xff, count: 37)
                    if let poison {
                        let bad: Float = n % 2 == 0 ? .nan : -.infinity
                        withUnsafeBytes(of: bad.bitPattern.littleEndian) { for j in 0..<4 { bytes[range.lowerBound + 4 * poison + j] = $0[j] } }
                    }
                    var frame = try #require(LengthPrefixedFrameAssembler.allocateFrame(byteCount: destinationOffset + bytes.count))
                    frame.writeBytes([UInt8](repeating: 7, count: destinationOffset))
                    var part = ByteBufferAllocator().buffer(capacity: bytes.count)
                    part.writeBytes(bytes)
                    let found = LengthPrefixedFrameAssembler.appendStreaming(part, to: &frame, checkingFloat32: range)
                    #expect(found == (poison != nil), "destination +\(destinationOffset), values \(range), poison \(String(describing: poison))")
                    #expect(found == naiveContainsNonFinite(bytes, range))
                    #expect(Array(frame.readableBytesView.dropFirst(destinationOffset)) == bytes)
                }
            }
        }
    }
}
