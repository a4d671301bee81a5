import Hummingbird

/// A response that is not JSON: the CSV form of the series, the dashboard's files and the
/// Prometheus exposition. Not cached: each answer is the state of now.
enum TextResponse {
    static func make(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType, .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
