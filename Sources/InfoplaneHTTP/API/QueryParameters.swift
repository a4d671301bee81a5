import Foundation
import Hummingbird
import InfoplaneMonitor

/// A request's query string, checked: unknown names and malformed values are 400s that
/// say what is accepted, so a typo never silently widens a query.
struct QueryParameters {
    private let values: [String: String]

    init(_ request: Request, allowed: Set<String>) throws(APIError) {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let name = String(key)
            guard allowed.contains(name) else {
                throw .badQuery("unknown query parameter '\(name)'; this route accepts: \(allowed.sorted().joined(separator: ", "))")
            }
            values[name] = String(value)
        }
        self.values = values
    }

    /// The value, nil when absent or empty.
    func string(_ name: String) -> String? {
        guard let v = values[name], !v.isEmpty else { return nil }
        return v
    }

    func int64(_ name: String) throws(APIError) -> Int64? {
        guard let text = string(name) else { return nil }
        guard let v = Int64(text) else { throw .badQuery("\(name) must be an integer, got '\(text)'") }
        return v
    }

    func split(_ name: String = "split") throws(APIError) -> ProbeSplit? {
        guard let text = string(name) else { return nil }
        guard let split = ProbeSplit(rawValue: text) else {
            throw .badQuery("\(name) must be one of \(ProbeSplit.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return split
    }

    func choice(_ name: String, _ options: [String], default value: String) throws(APIError) -> String {
        guard let text = string(name) else { return value }
        guard options.contains(text) else {
            throw .badQuery("\(name) must be one of \(options.joined(separator: ", ")), got '\(text)'")
        }
        return text
    }

    /// A time: ISO 8601 (2026-11-25T13:00:00Z) or Unix seconds.
    func date(_ name: String) throws(APIError) -> Date? {
        guard let text = string(name) else { return nil }
        if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        throw .badQuery("\(name) must be an ISO 8601 time (2026-11-25T13:00:00Z) or Unix seconds, got '\(text)'")
    }
}

extension RequestContext {
    /// The `{run}` path parameter, percent-decoded.
    func runParameter() throws -> String {
        let raw = try parameters.require("run")
        return raw.removingPercentEncoding ?? raw
    }
}
