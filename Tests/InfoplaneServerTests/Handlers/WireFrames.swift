import InfoplaneProtocol
import InfoplaneTestSupport
import NIOCore

/// Client messages as a client puts them on the wire, and server frames read back, for the
/// in-process handler tests.
enum WireFrames {
    static func hello(run: String = "r", sequence: UInt64 = 0) -> Infoplane_V1_ClientMessage {
        var message = Infoplane_V1_ClientMessage()
        message.sequence = sequence
        message.hello.protocolVersion = InfoplaneProtocolVersion.current
        message.hello.clientName = "handler-test"
        message.hello.runName = run
        return message
    }

    static func snapshot(sequence: UInt64, step: Int64 = 1, rows: Int = 8, columns: Int = 4) -> Infoplane_V1_ClientMessage {
        var message = Infoplane_V1_ClientMessage()
        message.sequence = sequence
        message.snapshot = SnapshotFactory.snapshot(step: step, rows: rows, columns: columns)
        return message
    }

    static func heartbeat(sequence: UInt64) -> Infoplane_V1_ClientMessage {
        var message = Infoplane_V1_ClientMessage()
        message.sequence = sequence
        message.heartbeat = Infoplane_V1_Heartbeat()
        return message
    }

    static func goodbye(sequence: UInt64) -> Infoplane_V1_ClientMessage {
        var message = Infoplane_V1_ClientMessage()
        message.sequence = sequence
        message.goodbye.reason = "done"
        return message
    }

    /// The message's bytes preceded by their length as a varint.
    static func framed(_ message: Infoplane_V1_ClientMessage) throws -> ByteBuffer {
        let bytes: [UInt8] = try message.serializedBytes()
        var buffer = ByteBuffer()
        buffer.writeVarint(UInt64(bytes.count))
        buffer.writeBytes(bytes)
        return buffer
    }

    /// The server messages in `buffer`, a sequence of length-prefixed frames.
    static func serverMessages(in buffer: ByteBuffer) throws -> [Infoplane_V1_ServerMessage] {
        var buffer = buffer
        var out: [Infoplane_V1_ServerMessage] = []
        while buffer.readableBytes > 0 {
            var length: UInt64 = 0
            var shift: UInt64 = 0
            while let byte = buffer.readInteger(as: UInt8.self) {
                length |= UInt64(byte & 0x7f) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
            }
            guard let bytes = buffer.readBytes(length: Int(length)) else { throw WireFrameError.truncated }
            out.append(try Infoplane_V1_ServerMessage(serializedBytes: bytes))
        }
        return out
    }

    /// The refusal's code, or nil when `message` is not an Error.
    static func errorCode(_ message: Infoplane_V1_ServerMessage?) -> Infoplane_V1_ErrorCode? {
        guard case .error(let error)? = message?.kind else { return nil }
        return error.code
    }
}

enum WireFrameError: Error {
    case truncated
}
