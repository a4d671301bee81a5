import Foundation

/// The values `infoplaned`'s flags set over the configuration file; nil: not given.
public struct DaemonOverrides: Sendable {
    public var socket: String?
    public var tcp: String?
    public var noTCP = false
    public var http: String?
    public var noHTTP = false
    public var stateDirectory: String?
    public var logLevel: String?
    public var maxMessageBytes: Int?
    public var credits: Int?
    public var idleTimeoutMilliseconds: Int?
    public var statusIntervalSeconds: Int?
    public var sink: String?
    public var sinkReport: String?

    public init() {}

    /// Sets each given value, checked as the file's key is, with errors naming the flag.
    public func apply(to c: inout DaemonConfiguration) throws {
        if let socket { c.ingest.socketPath = socket.isEmpty ? nil : socket }
        if let tcp { try c.setTCP(tcp) }
        if noTCP { c.ingest.tcpHost = nil }
        if let http { try c.setHTTP(http) }
        if noHTTP { c.http = nil }
        if let stateDirectory { c.stateDirectory = stateDirectory }
        if let logLevel { try c.setLogLevel(logLevel, key: "--log-level") }
        if let maxMessageBytes { try c.set(IngestLimit.named("ingest.max_message_bytes")!, maxMessageBytes, as: "--max-message-bytes") }
        if let credits { try c.set(IngestLimit.named("ingest.credits")!, credits, as: "--credits") }
        if let idleTimeoutMilliseconds {
            try c.set(IngestLimit.named("ingest.idle_timeout_ms")!, idleTimeoutMilliseconds, as: "--idle-timeout-ms")
        }
        if let sink { try c.setSink(sink, key: "--sink") }
        if let sinkReport { c.sinkReportPath = sinkReport }
        if let statusIntervalSeconds {
            guard statusIntervalSeconds >= 1 else {
                throw ConfigurationError(key: "--status-interval-seconds", problem: "must be at least 1")
            }
            c.statusIntervalSeconds = statusIntervalSeconds
        }
    }
}

extension DaemonConfiguration {
    /// The configuration in effect: the defaults, then `file` (or the default path when it
    /// exists), then `overrides`, then the ranges checked together.
    public static func effective(file: String?, overrides: DaemonOverrides = DaemonOverrides()) throws -> DaemonConfiguration {
        var c = DaemonConfiguration()
        if let file {
            try c.apply(tomlFile: file)
        } else if FileManager.default.fileExists(atPath: defaultPath) {
            try c.apply(tomlFile: defaultPath)
        }
        try overrides.apply(to: &c)
        try c.validateRanges()
        return c
    }
}
