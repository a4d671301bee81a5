import HTTPTypes
import Hummingbird
import InfoplaneAPI

/// An error answered as JSON `{"error": {"status": 404, "message": "..."}}` (`APIErrorBody`).
/// Every route throws these; `JSONErrorMiddleware` turns any other error into one too.
public struct APIError: HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = APIErrorBody(status: Int(status.code), message: message)
        return try EditedResponse(status: status, response: body).response(from: request, context: context)
    }

    static func unknownRun(_ run: String) -> APIError {
        APIError(.notFound, "no run named '\(run)'; GET /v1/runs lists the known runs")
    }

    static func badQuery(_ message: String) -> APIError {
        APIError(.badRequest, message)
    }
}
