import InfoplaneHTTP

extension DaemonConfiguration {
    /// `[http] listen` / `--http`: "host:port" to serve the HTTP API, dashboard and /metrics
    /// on; "" disables it (as does `--no-http`). Default 127.0.0.1:7412 (loopback only: the
    /// API has no authentication).
    public mutating func setHTTP(_ address: String, key: String = "--http") throws {
        if address.isEmpty { http = nil; return }
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw ConfigurationError(key: key, problem: "\"\(address)\" is not host:port (for example 127.0.0.1:7412)")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ConfigurationError(key: key, problem: "\"\(address)\" has no host") }
        var configuration = http ?? HTTPConfiguration()
        configuration.host = host
        configuration.port = port
        http = configuration
    }

    /// The `[http]` table of `rendered`.
    var renderedHTTP: String {
        "[http]\nlisten = \"\(http?.address ?? "")\"\n\n"
    }
}
