import Foundation
import Hummingbird
import HummingbirdTesting
@testable import InfoplaneHTTP
import InfoplaneMonitor
import Logging
import NIOCore

/// Runs `body` against the HTTP routes over `store` (HummingbirdTesting's router framework:
/// real routing, middleware and encoding, no socket).
func withRouter(store: any SeriesStore, events: MonitorEvents = MonitorEvents(),
                status: DaemonStatusSnapshot = DaemonStatusSnapshot(version: "test", startedAt: Date()),
                control: PipelineControl? = nil,
                _ body: @Sendable @escaping (any TestClientProtocol, InfoplaneMetrics) async throws -> Void) async throws {
    let metrics = InfoplaneMetrics(version: "test", startedAt: status.startedAt)
    let api = HTTPAPI(store: store, hub: EventHub(capacity: 64), metrics: metrics, status: { status },
                      keepAliveSeconds: 15, logger: Logger(label: "test"), control: control)
    let app = Application(router: api.router())
    try await app.test(.router) { client in try await body(client, metrics) }
}

/// Runs `body` against the HTTP routes over a fresh `KnownRun` store.
func withKnownRun(_ body: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
    let known = try await KnownRun()
    try await withRouter(store: known.store) { client, _ in try await body(client) }
}

/// GET `uri`; returns status, content type and body text.
func get(_ client: any TestClientProtocol, _ uri: String, headers: HTTPFields = [:]) async throws -> (status: Int, type: String, body: String) {
    try await client.execute(uri: uri, method: .get, headers: headers) { response in
        (Int(response.status.code), response.headers[.contentType] ?? "", String(buffer: response.body))
    }
}

/// Decodes a JSON body into Foundation objects (numbers as NSNumber, decoded exactly by
/// JSONDecoder: integers as Int, others as Double).
func json(_ text: String) throws -> [String: Any] {
    guard let object = try JSONDecoder().decode(ExactJSON.self, from: Data(text.utf8)).foundation as? [String: Any] else {
        throw TestFailure("not a JSON object: \(text.prefix(300))")
    }
    return object
}

enum ExactJSON: Decodable {
    case null, bool(Bool), int(Int), double(Double), string(String), array([ExactJSON]), object([String: ExactJSON])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([ExactJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: ExactJSON].self)) }
    }

    var foundation: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let b): return b
        case .int(let i): return NSNumber(value: i)
        case .double(let d): return NSNumber(value: d)
        case .string(let s): return s
        case .array(let a): return a.map(\.foundation)
        case .object(let o): return o.mapValues(\.foundation)
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
