import NIOCore

/// Splits a byte stream into protobuf messages framed the "delimited" way: each message is
/// preceded by its length as an unsigned LEB128 varint (at most 10 bytes).
///
/// Handles frames split at any byte and many frames per read. A frame whose announced length
/// exceeds `maximumFrameLength` is refused as soon as its prefix is read, before any of its
/// body is buffered.
public struct LengthPrefixedFrameDecoder: ByteToMessageDecoder, NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    public let maximumFrameLength: Int

    public init(maximumFrameLength: Int = 64 << 20) {
        self.maximumFrameLength = maximumFrameLength
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let (length, prefixBytes) = try Self.peekVarint(buffer) else { return nil }
        guard length <= UInt64(maximumFrameLength) else {
            throw FramingError.frameTooLarge(announced: length, maximum: maximumFrameLength)
        }
        let body = Int(length)
        guard buffer.readableBytes >= prefixBytes + body else {
            // Grow the cumulation once to the whole frame rather than by repeated doubling
            // (each doubling copies everything received so far).
            let missing = prefixBytes + body - buffer.readableBytes
            if buffer.writableBytes < missing { buffer.reserveCapacity(minimumWritableBytes: missing) }
            return nil
        }
        buffer.moveReaderIndex(forwardBy: prefixBytes)
        return buffer.readSlice(length: body)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        if let frame = try decode(buffer: &buffer) { return frame }
        if buffer.readableBytes > 0 && seenEOF {
            throw FramingError.truncatedFrame(bufferedBytes: buffer.readableBytes)
        }
        return nil
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try decode(buffer: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        guard let frame = try decodeLast(buffer: &buffer, seenEOF: seenEOF) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    /// Reads a varint at the buffer's reader index without consuming it.
    /// Returns nil when more bytes are needed; throws on a varint longer than 10 bytes or
    /// overflowing 64 bits.
    static func peekVarint(_ buffer: ByteBuffer) throws -> (value: UInt64, bytes: Int)? {
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

    public var description: String {
        switch self {
        case .frameTooLarge(let announced, let maximum):
            return "a frame announced \(announced) bytes, more than the maximum of \(maximum); split the snapshot into chunks (chunk_index/chunk_count) or raise max_message_bytes in the daemon's configuration"
        case .badVarint:
            return "the length prefix is not a valid unsigned varint; frames must be the protobuf delimited form (varint length, then the message)"
        case .truncatedFrame(let n):
            return "the stream ended inside a frame (\(n) bytes buffered)"
        }
    }
}
