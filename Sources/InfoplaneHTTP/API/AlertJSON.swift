import Foundation
import InfoplaneMonitor

/// An alert as the API writes it; `evidence` is the stored evidence JSON object, inlined.
struct AlertJSON: Encodable, Sendable {
    var id: Int64
    var run: String
    var layer: String
    var kind: String
    var severity: String
    var step: Int64
    var message: String
    var evidence: JSONValue
    var time: Date

    init(_ record: AlertRecord) {
        id = record.id ?? 0
        run = record.run
        layer = record.layer
        kind = record.kind.rawValue
        severity = record.severity.rawValue
        step = record.step
        message = record.message
        evidence = JSONValue(parsing: record.evidenceJSON)
        time = record.time
    }
}

struct AlertListJSON: Encodable, Sendable {
    var alerts: [AlertJSON]
}

/// A JSON value kept as parsed, for re-emitting stored JSON text inside a response.
enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses `text`; text that is not JSON becomes a string value (nothing is lost).
    init(parsing text: String) {
        if text.isEmpty { self = .null; return }
        self = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}
