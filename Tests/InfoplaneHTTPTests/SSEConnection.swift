import Foundation

/// A minimal blocking Server-Sent Events reader over a plain TCP socket, for tests: sends
/// one GET and parses the stream into events. Use it from `BlockingWorkers`.
final class SSEConnection: @unchecked Sendable {
    struct Event: Equatable {
        var id: String?
        var name: String
        var data: String
    }

    private let fd: Int32
    /// Raw bytes not yet taken apart: the response head, then the chunked body.
    private var raw: [UInt8] = []
    private var sawHead = false
    /// De-chunked body bytes not yet parsed into events.
    private var body: [UInt8] = []
    /// Everything received, for failure messages.
    private(set) var received = ""
    private var requestText = ""
    private(set) var lastEventID: String?

    init(address: String, path: String, lastEventID resumeFrom: String? = nil) throws {
        let parts = address.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else { throw TestFailure("bad address \(address)") }
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, String(parts[0]), &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { Glibc.close(fd); throw TestFailure("cannot connect to \(address): errno \(errno)") }
        var request = "GET \(path) HTTP/1.1\r\nHost: \(address)\r\nAccept: text/event-stream\r\n"
        if let resumeFrom { request += "Last-Event-ID: \(resumeFrom)\r\n" }
        request += "\r\n"
        requestText = request
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
    }

    deinit { Glibc.close(fd) }

    func close() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// The next event (comments skipped), or an error after `timeout` seconds.
    func next(timeout: Double) throws -> Event {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let event = parseOne() { return event }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw TestFailure("no event within \(timeout) s; request: \(requestText) received: \(received.suffix(1500))") }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, Int32(remaining * 1000) + 1) > 0 else { continue }
            var bytes = [UInt8](repeating: 0, count: 65536)
            let n = recv(fd, &bytes, bytes.count, 0)
            guard n > 0 else { throw TestFailure("stream closed; received: \(received.suffix(500))") }
            raw += bytes[0..<n]
            received += String(decoding: bytes[0..<n], as: UTF8.self)
            try dechunk()
        }
    }

    /// Collects events until `count` are read or `timeout` passes.
    func events(_ count: Int, timeout: Double) throws -> [Event] {
        var out: [Event] = []
        while out.count < count { out.append(try next(timeout: timeout)) }
        return out
    }

    private static let crlf: [UInt8] = [13, 10]

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard haystack.count >= needle.count + start else { return nil }
        for i in start...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }

    /// Moves complete chunks of the `Transfer-Encoding: chunked` body from `raw` to `body`
    /// (RFC 9112 §7.1: hex size, CRLF, data, CRLF), after skipping the response head.
    private func dechunk() throws {
        if !sawHead {
            guard let end = Self.find([13, 10, 13, 10], in: raw) else { return }
            let head = String(decoding: raw[..<end], as: UTF8.self)
            guard head.hasPrefix("HTTP/1.1 200"), head.lowercased().contains("transfer-encoding: chunked") else {
                throw TestFailure("unexpected response head: \(head)")
            }
            raw.removeSubrange(..<(end + 4))
            sawHead = true
        }
        while let lineEnd = Self.find(Self.crlf, in: raw) {
            let sizeText = String(decoding: raw[..<lineEnd], as: UTF8.self).split(separator: ";")[0]
            guard let size = Int(sizeText, radix: 16) else { throw TestFailure("bad chunk size line '\(sizeText)'") }
            let dataStart = lineEnd + 2
            guard raw.count >= dataStart + size + 2 else { return }
            body += raw[dataStart..<(dataStart + size)]
            raw.removeSubrange(..<(dataStart + size + 2))
        }
    }

    /// The next complete event from the de-chunked body (SSE: lines ending in LF, an empty
    /// line dispatches; comment and field-less blocks are skipped).
    private func parseOne() -> Event? {
        while let end = Self.find([10, 10], in: body) {
            let block = String(decoding: body[..<end], as: UTF8.self)
            body.removeSubrange(..<(end + 2))
            var id: String?, name = "message", data: [String] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: true) {
                if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
                else if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                else if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            guard !data.isEmpty else { continue }
            if let id { lastEventID = id }
            return Event(id: id, name: name, data: data.joined(separator: "\n"))
        }
        return nil
    }
}
