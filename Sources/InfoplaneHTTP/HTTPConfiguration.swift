/// Where and how the HTTP side listens. Loopback by default: the API has no
/// authentication, so exposing it beyond the machine is an explicit choice.
public struct HTTPConfiguration: Sendable, Equatable {
    /// Host or address to bind (default 127.0.0.1).
    public var host: String
    /// TCP port (default 7412; 0 picks a free port, logged as `http listening address=`).
    public var port: Int
    /// Live events kept in memory for `Last-Event-ID` resumption (default 4096).
    public var eventRingCapacity: Int
    /// Seconds between SSE keep-alive comments (default 15).
    public var keepAliveSeconds: Double

    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 7412

    public init(host: String = HTTPConfiguration.defaultHost, port: Int = HTTPConfiguration.defaultPort,
                eventRingCapacity: Int = 4096, keepAliveSeconds: Double = 15) {
        self.host = host
        self.port = port
        self.eventRingCapacity = max(eventRingCapacity, 16)
        self.keepAliveSeconds = keepAliveSeconds
    }

    /// `host:port`, bracketing IPv6 hosts.
    public var address: String { "\(host.contains(":") ? "[\(host)]" : host):\(port)" }
}
