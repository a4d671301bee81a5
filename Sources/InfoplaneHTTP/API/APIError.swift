import HTTPTypes
import Hummingbird

/// An error answered as JSON `{"error": {"status": 404, "message": "..."}}`. Every route
/// throws these; `JSONErrorMiddleware` turns any other error into one too.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }

    static func unknownRun(_ run: String) -> APIError {
        APIError(.notFound, "no run named '\(run)'; GET /v1/runs lists the known runs")
    }

    static func badQuery(_ message: String) -> APIError {
        APIError(.badRequest, message)
    }

    var body: ErrorBody { ErrorBody(error: .init(status: Int(status.code), message: message)) }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var status: Int
            var message: String
        }
        var error: Detail
    }
}
