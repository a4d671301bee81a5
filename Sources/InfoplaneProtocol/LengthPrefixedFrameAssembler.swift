import CStreamingCopy
#if canImport(Glibc)
import Glibc
#endif
// `ByteBuffer(takingOwnershipOf:allocator:)`: a frame buffer of exactly the frame's size.
@_spi(CustomByteBufferAllocator) import NIOCore

/// Splits a byte stream into protobuf messages framed the "delimited" way: each message is
/// preceded by its length as an unsigned LEB128 varint (at most 10 bytes).
///
/// Feed it whatever arrived, in pieces cut anywhere; it returns each whole frame once. A
/// frame that lies inside one piece is returned as a slice of it (no copy). A frame that
/// spans pieces is assembled into a buffer allocated once at exactly its announced length
/// and owned by nobody else: the bytes are copied once, the buffer never regrows, and a
/// receiver may keep the frame (the ingest server keeps a snapshot's values in it) without
/// the next frame's bytes copying it on write — which a shared cumulation buffer, as NIO's
/// `ByteToMessageHandler` keeps, would do. A frame whose announced length exceeds
/// `maximumFrameLength` is refused as soon as its prefix is read, before anything is
/// allocated for it. A frame that spans pieces is charged to `memoryAccount` (when set)
/// before its buffer is allocated, and an allocation that fails is an error
/// (`FramingError.allocationFailed`), never a crash: an announced length is a number a
/// client chose.
public struct LengthPrefixedFrameAssembler: Sendable {
    public let maximumFrameLength: Int
    /// Charged with each spanning frame's length while it is being assembled.
    public var memoryAccount: (any FrameMemoryAccount)?
    /// Bytes of a length prefix that is not complete yet (fewer than 10).
    private var partialPrefix = ByteBuffer()
    /// The frame being filled, and its length.
    private var partialFrame: ByteBuffer?
    private var partialFrameLength = 0

    /// Finds, in the first bytes of a large frame (and given its length), a range of the frame
    /// holding little-endian F32 values; the assembler then checks them for NaN and infinity
    /// piece by piece as they arrive, while each piece is still in cache, instead of the
    /// receiver reading the whole frame back from memory later.
    public var float32ValuesLocator: (@Sendable (UnsafeRawBufferPointer, Int) -> Range<Int>?)?
    /// For the frame `next` returned last: the range the locator gave when every value in
    /// it was checked finite; nil otherwise (not located, not all finite, or not checked).
    public private(set) var checkedFiniteFloat32: Range<Int>?
    private var valuesCheck: ValuesCheck?

    struct ValuesCheck {
        var region: Range<Int>
        /// Frame offset of the first value not checked yet.
        var next: Int
        var finite = true
    }

    public init(maximumFrameLength: Int = 64 << 20) {
        self.maximumFrameLength = maximumFrameLength
    }

    /// Bytes held for a frame that is not complete yet (of its prefix, or of its body once
    /// the prefix is read).
    public var bufferedBytes: Int { partialPrefix.readableBytes + (partialFrame?.readableBytes ?? 0) }

    /// Consumes bytes of `input` up to and including the next whole frame and returns it;
    /// nil when `input` is used up first (its bytes are kept for the next call).
    public mutating func next(from input: inout ByteBuffer) throws(FramingError) -> ByteBuffer? {
        while true {
            if var frame = partialFrame {
                partialFrame = nil
                let take = min(partialFrameLength - frame.readableBytes, input.readableBytes)
                if take > 0, let part = input.readSlice(length: take) {
                    if valuesCheck != nil {
                        // Located values are only checked in frames large enough to stream.
                        let whole = valuesToCheck(in: part, at: frame.readableBytes, of: frame)
                        if Self.appendStreaming(part, to: &frame, checkingFloat32: whole) { valuesCheck?.finite = false }
                    } else {
                        Self.append(part, to: &frame, streaming: partialFrameLength >= Self.streamingCopyThreshold)
                    }
                }
                if frame.readableBytes == partialFrameLength {
                    memoryAccount?.release(partialFrameLength)
                    if let check = valuesCheck, check.finite, check.next == check.region.upperBound {
                        checkedFiniteFloat32 = check.region
                    }
                    valuesCheck = nil
                    return frame
                }
                partialFrame = frame
                return nil
            }
            guard input.readableBytes > 0 else { return nil }
            checkedFiniteFloat32 = nil   // a new frame begins
            guard let length = try readLengthPrefix(from: &input) else { return nil }
            guard length <= UInt64(maximumFrameLength) else {
                throw FramingError.frameTooLarge(announced: length, maximum: maximumFrameLength)
            }
            let body = Int(length)
            if input.readableBytes >= body { return input.readSlice(length: body)! }
            try memoryAccount?.reserve(body)
            guard let buffer = Self.allocateFrame(byteCount: body) else {
                memoryAccount?.release(body)
                throw FramingError.allocationFailed(bytes: body)
            }
            partialFrame = buffer
            partialFrameLength = body
            if let locate = float32ValuesLocator, body >= Self.streamingCopyThreshold,
               let region = input.withUnsafeReadableBytes({ locate($0, body) }),
               region.lowerBound >= 0, region.upperBound <= body, region.count % 4 == 0 {
                valuesCheck = ValuesCheck(region: region, next: region.lowerBound)
            }
        }
    }

    /// The F32 values of `valuesCheck.region` that `part` (frame bytes from `offset`)
    /// completes: a value straddling the previous piece is put together from the frame
    /// buffer and checked here; the range of the whole values in `part` (relative to its
    /// reader index) is returned for the copy to check, and counted as checked.
    private mutating func valuesToCheck(in part: ByteBuffer, at offset: Int, of frame: ByteBuffer) -> Range<Int> {
        guard var check = valuesCheck, check.finite else { return 0..<0 }
        defer { valuesCheck = check }
        let end = Swift.min(offset + part.readableBytes, check.region.upperBound)
        if check.next < offset, check.next + 4 <= end {
            var lane = frame.getBytes(at: frame.readerIndex + check.next, length: offset - check.next) ?? []
            lane += part.getBytes(at: part.readerIndex, length: check.next + 4 - offset) ?? []
            if lane.withUnsafeBytes({ Infoplane_V1_Tensor.containsNonFinite(float32: $0) }) {
                check.finite = false
                return 0..<0
            }
            check.next += 4
        }
        guard check.next >= offset, check.next < end else { return 0..<0 }
        let lanes = (end - check.next) / 4
        let whole = (check.next - offset)..<(check.next - offset + lanes * 4)
        check.next += lanes * 4
        return whole
    }

    /// An empty buffer of capacity exactly `byteCount`, from `malloc`. NIO's allocator rounds
    /// capacities up to a power of two: a 16.8 MB snapshot would take 32 MiB, which glibc
    /// always serves by a fresh `mmap` (its mmap threshold cannot exceed 32 MiB), so every
    /// frame would pay ~4000 page faults and the kernel zeroing its pages. At the exact size
    /// glibc reuses the memory of the previous frame.
    /// Nil when the memory cannot be had (the caller refuses the frame).
    static func allocateFrame(byteCount: Int) -> ByteBuffer? {
        guard let memory = malloc(byteCount) else { return nil }
        return ByteBuffer(takingOwnershipOf: UnsafeMutableRawBufferPointer(start: memory, count: byteCount),
                          allocator: ByteBufferAllocator(), readerIndex: 0, writerIndex: 0)
    }

    /// Frames from this size on are filled with non-temporal stores (`infoplane_streaming_copy`):
    /// they are megabytes, cold in the cache, and read later by another thread.
    static let streamingCopyThreshold = 1 << 20

    static func append(_ part: ByteBuffer, to frame: inout ByteBuffer, streaming: Bool) {
        guard streaming else {
            var part = part
            frame.writeBuffer(&part)
            return
        }
        part.withUnsafeReadableBytes { source in
            _ = frame.writeWithUnsafeMutableBytes(minimumWritableBytes: source.count) { destination in
                infoplane_streaming_copy(destination.baseAddress!, source.baseAddress!, source.count)
                return source.count
            }
        }
    }

    /// Appends `part` with streaming stores and reports whether the little-endian F32 values
    /// in its bytes `float32Range` (relative to its reader index) include a NaN or an
    /// infinity, checked from the registers the copy loads them into.
    static func appendStreaming(_ part: ByteBuffer, to frame: inout ByteBuffer, checkingFloat32 float32Range: Range<Int>) -> Bool {
        part.withUnsafeReadableBytes { source in
            var found = false
            _ = frame.writeWithUnsafeMutableBytes(minimumWritableBytes: source.count) { destination in
                found = infoplane_streaming_copy_checking_float32(
                    destination.baseAddress!, source.baseAddress!, source.count,
                    float32Range.lowerBound, float32Range.upperBound) != 0
                return source.count
            }
            return found
        }
    }

    /// Throws when the stream ended inside a frame.
    public func finish() throws(FramingError) {
        if bufferedBytes > 0 { throw FramingError.truncatedFrame(bufferedBytes: bufferedBytes) }
    }

    /// Drops the frame being assembled, if any, and returns its reservation (the
    /// connection is closing, or its framing is lost).
    public mutating func discardPartialFrame() {
        if partialFrame != nil { memoryAccount?.release(partialFrameLength) }
        partialFrame = nil
        partialFrameLength = 0
        partialPrefix.clear()
        valuesCheck = nil
    }

    /// For the frame being assembled: its announced length and the bytes of it that have
    /// arrived; nil between frames (the slow-sender check reads it).
    public var frameInProgress: (length: Int, arrived: Int)? {
        partialFrame.map { (partialFrameLength, $0.readableBytes) }
    }

    /// Reads a length prefix, joining the bytes kept from earlier pieces; nil (with every
    /// byte of `input` kept) when the prefix is not complete yet.
    private mutating func readLengthPrefix(from input: inout ByteBuffer) throws(FramingError) -> UInt64? {
        guard partialPrefix.readableBytes > 0 else {
            guard let (value, bytes) = try Self.peekVarint(input) else {
                partialPrefix.writeBuffer(&input)
                return nil
            }
            input.moveReaderIndex(forwardBy: bytes)
            return value
        }
        var joined = partialPrefix
        joined.writeImmutableBuffer(input.getSlice(at: input.readerIndex, length: min(input.readableBytes, 10))!)
        guard let (value, bytes) = try Self.peekVarint(joined) else {
            partialPrefix = joined
            input.moveReaderIndex(to: input.writerIndex)
            return nil
        }
        input.moveReaderIndex(forwardBy: bytes - partialPrefix.readableBytes)
        partialPrefix.clear()
        return value
    }

    /// Reads a varint at the buffer's reader index without consuming it.
    /// Returns nil when more bytes are needed; throws on a varint longer than 10 bytes or
    /// overflowing 64 bits.
    static func peekVarint(_ buffer: ByteBuffer) throws(FramingError) -> (value: UInt64, bytes: Int)? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var index = buffer.readerIndex
        let end = buffer.writerIndex
        while index < end {
            let byte = buffer.getInteger(at: index, as: UInt8.self)!
            index += 1
            let bits = UInt64(byte & 0x7f)
            if shift == 63 && bits > 1 { throw FramingError.badVarint }
            value |= bits << shift
            if byte & 0x80 == 0 { return (value, index - buffer.readerIndex) }
            shift += 7
            if shift > 63 { throw FramingError.badVarint }
        }
        return nil
    }
}

/// Writes each outbound `ByteBuffer` preceded by its length as an unsigned varint.
public struct LengthPrefixedFrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = ByteBuffer

    public init() {}

    public func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        out.writeVarint(UInt64(data.readableBytes))
        var data = data
        out.writeBuffer(&data)
    }
}

extension ByteBuffer {
    /// Appends `value` as an unsigned LEB128 varint.
    @discardableResult
    public mutating func writeVarint(_ value: UInt64) -> Int {
        var v = value
        var written = 0
        while v >= 0x80 {
            written += writeInteger(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        written += writeInteger(UInt8(v))
        return written
    }
}

/// Why a byte stream could not be split into frames. The connection cannot continue after
/// any of these: the stream's framing is lost.
public enum FramingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The length prefix announced more bytes than the configured maximum.
    case frameTooLarge(announced: UInt64, maximum: Int)
    /// The length prefix is longer than 10 bytes or overflows 64 bits.
    case badVarint
    /// The stream ended inside a frame.
    case truncatedFrame(bufferedBytes: Int)
    /// Assembling the frame would pass a memory budget; `budget` says which and its size.
    case memoryBudgetExceeded(announced: Int, budget: String)
    /// The frame's buffer could not be allocated.
    case allocationFailed(bytes: Int)
    /// The frame in progress arrived slower than the minimum rate.
    case senderTooSlow(arrived: Int, announced: Int, seconds: Double, minimumBytesPerSecond: Int)

    public var description: String {
        switch self {
        case .frameTooLarge(let announced, let maximum):
            return "a frame announced \(announced) bytes, more than the maximum of \(maximum); split the snapshot into chunks (chunk_index/chunk_count) or raise max_message_bytes in the daemon's configuration"
        case .badVarint:
            return "the length prefix is not a valid unsigned varint; frames must be the protobuf delimited form (varint length, then the message)"
        case .truncatedFrame(let n):
            return "the stream ended inside a frame (\(n) bytes buffered); the partial message was not accepted"
        case .memoryBudgetExceeded(let announced, let budget):
            return "a frame of \(announced) bytes would pass the daemon's memory budget for frames being received (\(budget)); the frame was not accepted: wait for acknowledgements and retry, or send smaller chunks"
        case .allocationFailed(let bytes):
            return "the daemon could not allocate \(bytes) bytes for the frame (out of memory); the frame was not accepted: retry later or send smaller chunks"
        case .senderTooSlow(let arrived, let announced, let seconds, let minimum):
            return "only \(arrived) of the frame's \(announced) bytes arrived in \((seconds * 10).rounded() / 10) s, slower than the minimum of \(minimum) bytes/s for a frame in progress; the frame was not accepted: send each message whole without pauses"
        }
    }
}
