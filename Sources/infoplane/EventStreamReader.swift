import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Reads a Server-Sent Events stream with URLSession's data delegate and yields its events.
final class EventStreamReader: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Event: Sendable {
        var id: String?
        var name: String
        var data: String
    }

    let url: URL
    let endpoint: String
    private var continuation: AsyncThrowingStream<Event, any Error>.Continuation?
    private var buffer = Data()
    private var session: URLSession?

    init(url: URL, endpoint: String) {
        self.url = url
        self.endpoint = endpoint
    }

    func events() -> AsyncThrowingStream<Event, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Event, any Error>.makeStream()
        self.continuation = continuation
        let configuration = URLSessionConfiguration.default
        configuration.timeoutIntervalForRequest = 3600 * 24
        configuration.timeoutIntervalForResource = 3600 * 24 * 365
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
        self.session = session
        var request = URLRequest(url: url)
        request.setValue("text/event-stream", forHTTPHeaderField: "Accept")
        let task = session.dataTask(with: request)
        continuation.onTermination = { _ in task.cancel() }
        task.resume()
        return stream
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        if let http = response as? HTTPURLResponse, http.statusCode != 200 {
            continuation?.finish(throwing: DaemonAPIError.http(status: http.statusCode, message: "the event stream was refused"))
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        buffer.append(data)
        while let range = buffer.range(of: Data("\n\n".utf8)) {
            let block = String(decoding: buffer[buffer.startIndex..<range.lowerBound], as: UTF8.self)
            buffer.removeSubrange(buffer.startIndex..<range.upperBound)
            var event = Event(id: nil, name: "message", data: "")
            var lines: [String] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
                else if line.hasPrefix("event: ") { event.name = String(line.dropFirst(7)) }
                else if line.hasPrefix("data: ") { lines.append(String(line.dropFirst(6))) }
            }
            guard !lines.isEmpty else { continue }
            event.data = lines.joined(separator: "\n")
            continuation?.yield(event)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if let error {
            continuation?.finish(throwing: DaemonAPIError.unreachable(endpoint: endpoint, reason: (error as NSError).localizedDescription))
        } else {
            continuation?.finish()
        }
        session.finishTasksAndInvalidate()
    }
}
