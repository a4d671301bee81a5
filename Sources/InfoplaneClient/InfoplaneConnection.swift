import Foundation
import InfoplaneProtocol
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Why a client call failed.
public enum InfoplaneClientError: Error, Sendable, CustomStringConvertible {
    case connectFailed(address: String, errno: Int32)
    case io(String, errno: Int32)
    case closedByServer
    case timedOut
    case badFrame(String)
    /// The server answered with an Error.
    case server(Infoplane_V1_Error)
    case unexpectedReply(String)

    public var description: String {
        switch self {
        case .connectFailed(let address, let e):
            return "cannot connect to \(address): \(String(cString: strerror(e))); is infoplaned running? (start it with `infoplaned --socket PATH`)"
        case .io(let what, let e): return "\(what): \(String(cString: strerror(e)))"
        case .closedByServer: return "the server closed the connection"
        case .timedOut: return "timed out waiting for the server"
        case .badFrame(let why): return "bad frame from the server: \(why)"
        case .server(let error): return "server error \(error.code) for message \(error.sequence): \(error.message)"
        case .unexpectedReply(let what): return "unexpected reply: \(what)"
        }
    }
}

/// A blocking connection to the daemon over a Unix or TCP stream socket, speaking the
/// length-delimited framing. The building block of the Swift client, the load generator
/// and the tests; it does no flow control of its own (see `InfoplaneSession`).
public final class InfoplaneConnection {
    public let descriptor: Int32
    private var inbound = ByteBuffer()
    private var assembler = LengthPrefixedFrameAssembler(maximumFrameLength: 64 << 20)

    /// Connects to `address`: a filesystem path (Unix socket) or `host:port` (TCP).
    public init(address: String) throws {
        if address.contains("/") || !address.contains(":") {
            descriptor = try Self.connectUnix(address)
        } else {
            let colon = address.lastIndex(of: ":")!
            descriptor = try Self.connectTCP(host: String(address[..<colon]), port: String(address[address.index(after: colon)...]))
        }
    }

    deinit { close(descriptor) }

    private static func connectUnix(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw InfoplaneClientError.io("socket", errno: errno) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            throw InfoplaneClientError.connectFailed(address: path, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw InfoplaneClientError.connectFailed(address: path, errno: e)
        }
        return fd
    }

    private static func connectTCP(host: String, port: String) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, port, &hints, &result) == 0, let info = result else {
            throw InfoplaneClientError.connectFailed(address: "\(host):\(port)", errno: EADDRNOTAVAIL)
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw InfoplaneClientError.io("socket", errno: errno) }
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let e = errno
            close(fd)
            throw InfoplaneClientError.connectFailed(address: "\(host):\(port)", errno: e)
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    /// Writes every byte of `bytes`.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n < 0 {
                if errno == EINTR { continue }
                throw InfoplaneClientError.io("send", errno: errno)
            }
            offset += n
        }
    }

    /// Sends raw bytes as they are (tests use this to send broken frames).
    public func sendRaw(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeAll($0) }
    }

    /// Sends one message with its varint length prefix.
    public func send(_ message: Infoplane_V1_ClientMessage) throws {
        let body: [UInt8] = try message.serializedBytes()
        var prefix = ByteBuffer()
        prefix.writeVarint(UInt64(body.count))
        try sendRaw(Array(prefix.readableBytesView) + body)
    }

    /// Receives the next server message; nil when the server closed the connection cleanly.
    /// - Parameter timeout: seconds to wait for a whole message.
    public func receive(timeout: Double = 10) throws -> Infoplane_V1_ServerMessage? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let frame = try assembler.next(from: &inbound) {
                return try Infoplane_V1_ServerMessage(serializedBytes: Array(frame.readableBytesView))
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw InfoplaneClientError.timedOut }
            var pfd = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(min(remaining * 1000, 60_000)) + 1)
            if ready < 0 {
                if errno == EINTR { continue }
                throw InfoplaneClientError.io("poll", errno: errno)
            }
            if ready == 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = recv(descriptor, &chunk, chunk.count, 0)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET { return nil }
                throw InfoplaneClientError.io("recv", errno: errno)
            }
            if n == 0 {
                if assembler.bufferedBytes > 0 { throw InfoplaneClientError.badFrame("connection closed inside a frame") }
                return nil
            }
            inbound.clear()
            inbound.writeBytes(chunk[0..<n])
        }
    }

    /// Half-closes the sending side.
    public func shutdownWrite() {
        shutdown(descriptor, Int32(SHUT_WR))
    }
}
