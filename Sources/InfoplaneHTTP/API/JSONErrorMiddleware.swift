import HTTPTypes
import Hummingbird
import Logging

/// Answers every failure with a JSON body that says what went wrong: `APIError`s as they
/// are, Hummingbird's own errors (unknown route: 404, wrong method) with their status and
/// message, anything else as 500 (logged).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let message = error.body ?? Self.defaultMessage(error.status, request)
            return try APIError(error.status, message).response(from: request, context: context)
        } catch let error as HTTPResponseError {
            return try APIError(error.status, Self.defaultMessage(error.status, request)).response(from: request, context: context)
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return try APIError(.internalServerError, "internal error: \(error)").response(from: request, context: context)
        }
    }

    static func defaultMessage(_ status: HTTPResponse.Status, _ request: Request) -> String {
        switch status {
        case .notFound: return "no route \(request.method) \(request.uri.path); see Documentation/http-api.md"
        case .methodNotAllowed: return "\(request.method) is not allowed on \(request.uri.path)"
        default: return status.reasonPhrase
        }
    }
}
