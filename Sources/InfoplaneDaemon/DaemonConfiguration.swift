import Foundation
import InfoplaneHTTP
import InfoplaneMonitor
import InfoplaneServer
import InfoplaneStore
import Logging
import TOMLKit

/// Everything `infoplaned` can be configured with: the TOML file (default
/// /etc/infoplane/infoplaned.toml) with flags overriding it. Every option has a default;
/// unknown keys are errors. `infoplaned --check-config` prints the effective values.
public struct DaemonConfiguration: Sendable {
    public var ingest = IngestConfiguration()
    /// The monitoring pipeline: tables [assembly], [compression], [estimation], [scheduler], [alerts].
    public var monitor = MonitorConfiguration()
    /// The SQLite store: table [store] (and [store.retention]).
    public var store = StoreConfiguration()
    /// Where the SQLite store and other state live (systemd: StateDirectory=).
    public var stateDirectory = "/var/lib/infoplane"
    public var logLevel: Logger.Level = .info
    /// How often STATUS= is sent to systemd.
    public var statusIntervalSeconds = 5
    /// What receives accepted snapshots: "counting" (in memory, counts only) or "monitor".
    public var sink = "monitor"
    /// When set, the counting sink writes a JSON report of what it received here on exit.
    public var sinkReportPath: String?
    /// The HTTP API, dashboard and /metrics: table [http]; nil when disabled.
    public var http: HTTPConfiguration? = HTTPConfiguration()

    public init() {}

    public static let defaultPath = "/etc/infoplane/infoplaned.toml"

    /// Every key the file may hold, with its default and meaning, for errors and docs.
    public static let documentedKeys: [(key: String, meaning: String)] = [
        ("ingest.socket_path", "Unix socket path; \"\" disables it (default /run/infoplane/infoplane.sock)"),
        ("ingest.socket_mode", "Unix socket permission bits as an octal string (default \"0660\")"),
        ("ingest.tcp", "TCP listen address host:port, e.g. 127.0.0.1:7411; \"\" (the default) disables TCP: any local user can reach a TCP port, while the Unix socket's permissions decide who may send"),
    ] + IngestLimit.all.map { (key: $0.key, meaning: "\($0.meaning) (default \($0.defaultValue), \($0.range.lowerBound)...\($0.range.upperBound))") } + [
        ("daemon.state_dir", "state directory (default /var/lib/infoplane)"),
        ("daemon.log_level", "trace, debug, info, notice, warning, error or critical (default info)"),
        ("daemon.status_interval_seconds", "systemd STATUS= period (default 5)"),
        ("daemon.sink", "\"monitor\" (estimate, store, alert) or \"counting\" (counts and checksums; tests) or \"discard\" (counts only; benchmarks) (default monitor)"),
        ("daemon.sink_report", "counting sink: JSON report path written on exit (default none)"),
        ("http.listen", "HTTP API, dashboard and /metrics address host:port; \"\" disables it (default 127.0.0.1:7412)"),
    ]
}

/// A configuration problem, naming the key and the bad value.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public var key: String
    public var problem: String
    public var description: String { "\(key): \(problem)" }
}

extension DaemonConfiguration {
    /// Reads `path` over the defaults. Unknown keys, wrong types and bad values are errors.
    public mutating func apply(tomlFile path: String) throws {
        let text: String
        // Plain POSIX reads: Foundation's file APIs refuse character devices such as /dev/null.
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw ConfigurationError(key: path, problem: "cannot read the configuration file (\(String(cString: strerror(errno)))); check that it exists and is readable")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                throw ConfigurationError(key: path, problem: "cannot read the configuration file (\(String(cString: strerror(errno))))")
            }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError(key: path, problem: "the configuration file is not UTF-8 text")
        }
        text = decoded
        try apply(toml: text, source: path)
    }

    /// Reads TOML `text` over this configuration (`source` names it in errors): the file is
    /// decoded as a whole (`init(from:)`, one `Decodable` path for every table), then the
    /// ranges that involve several keys are checked.
    public mutating func apply(toml text: String, source: String = "configuration") throws {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw ConfigurationError(key: source, problem: "not valid TOML at \(error.source.begin.debugDescription): \(error.description)")
        }
        let decoder = JSONDecoder()
        decoder.userInfo[.configurationBase] = self
        self = try decoder.decode(DaemonConfiguration.self, from: Data(table.convert(to: .json).utf8))
        try validateRanges()
    }

    /// Values of the right type but out of range (checked after the file, so that
    /// `--check-config` names them too).
    public func validateRanges() throws {
        guard ingest.maxMessageBytes <= ingest.maxReceivingBytesPerRun, ingest.maxReceivingBytesPerRun <= ingest.maxReceivingBytes else {
            throw ConfigurationError(key: "ingest.max_message_bytes", problem: "need max_message_bytes (\(ingest.maxMessageBytes)) <= max_receiving_bytes_per_run (\(ingest.maxReceivingBytesPerRun)) <= max_receiving_bytes (\(ingest.maxReceivingBytes)): a message larger than a budget could never be received")
        }
        guard ingest.maxConnectionsPerPeer <= ingest.maxConnections else {
            throw ConfigurationError(key: "ingest.max_connections_per_peer", problem: "\(ingest.maxConnectionsPerPeer) is more than max_connections (\(ingest.maxConnections))")
        }
        try Self.check("assembly", monitor.assembly.validate)
        try Self.check("compression", monitor.compression.validate)
        try Self.check("estimation", monitor.estimation.validate)
        try Self.check("scheduler", monitor.scheduler.validate)
        guard monitor.scheduler.maxWaitingFrameBytesPerRun <= monitor.scheduler.maxWaitingFrameBytes else {
            throw ConfigurationError(key: "scheduler.max_waiting_frame_bytes_per_run", problem: "\(monitor.scheduler.maxWaitingFrameBytesPerRun) is more than max_waiting_frame_bytes (\(monitor.scheduler.maxWaitingFrameBytes))")
        }
        do {
            try monitor.alerts.validate()
        } catch {
            throw ConfigurationError(key: "alerts.\(error.key)", problem: "must be \(error.expected)")
        }
        do {
            try store.validate()
        } catch {
            throw ConfigurationError(key: "store.retention", problem: "\(error)")
        }
    }

    /// Runs a section's range check, naming the key as the file spells it (`table.option`).
    private static func check(_ table: String, _ validate: () throws(RunOptionError) -> Void) throws {
        do {
            try validate()
        } catch {
            throw ConfigurationError(key: "\(table).\(error.option)", problem: error.message)
        }
    }

    public static let tables = ["ingest", "daemon", "http", "assembly", "compression", "estimation", "scheduler", "alerts", "store"]

    /// Sets an `[ingest]` integer after checking its range: the one check for the file's
    /// key and its command-line flag (`name` is what the user wrote, for the error).
    public mutating func set(_ limit: IngestLimit, _ value: Int, as name: String) throws {
        guard limit.range.contains(value) else {
            throw ConfigurationError(key: name, problem: "\(value) is out of range \(limit.range.lowerBound)...\(limit.range.upperBound) (\(limit.meaning))")
        }
        ingest[keyPath: limit.field] = value
    }

    /// The sinks `daemon.sink` / `--sink` accept.
    public static let sinkKinds = ["monitor", "counting", "discard"]

    public mutating func setSink(_ value: String, key: String) throws {
        guard Self.sinkKinds.contains(value) else {
            throw ConfigurationError(key: key, problem: "\"\(value)\" is not one of " + Self.sinkKinds.joined(separator: ", "))
        }
        sink = value
    }

    public mutating func setLogLevel(_ value: String, key: String) throws {
        guard let level = Logger.Level(rawValue: value) else {
            throw ConfigurationError(key: key, problem: "\"\(value)\" is not one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = level
    }

    public mutating func setTCP(_ address: String, key: String = "--tcp") throws {
        if address.isEmpty { ingest.tcpHost = nil; return }
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw ConfigurationError(key: key, problem: "\"\(address)\" is not host:port (for example 127.0.0.1:7411)")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ConfigurationError(key: key, problem: "\"\(address)\" has no host") }
        ingest.tcpHost = host
        ingest.tcpPort = port
    }

    /// The effective configuration, as TOML that this parser reads back.
    public var rendered: String {
        func q(_ s: String?) -> String { "\"\(s ?? "")\"" }
        let tcp = ingest.tcpHost.map { "\($0.contains(":") ? "[\($0)]" : $0):\(ingest.tcpPort)" }
        return """
        [ingest]
        socket_path = \(q(ingest.socketPath))
        socket_mode = "0\(String(ingest.socketMode, radix: 8))"
        tcp = \(q(tcp))
        \(IngestLimit.all.map { "\($0.key.dropFirst("ingest.".count)) = \(ingest[keyPath: $0.field])" }.joined(separator: "\n"))

        [daemon]
        state_dir = \(q(stateDirectory))
        log_level = \(q(logLevel.rawValue))
        status_interval_seconds = \(statusIntervalSeconds)
        sink = \(q(sink))
        sink_report = \(q(sinkReportPath))

        """ + renderedHTTP + renderedSections
    }

    /// The Codable sections, rendered by TOMLKit from their effective values with the keys
    /// spelled as in the file.
    private var renderedSections: String {
        let root = TOMLTable()
        do {
            root["assembly"] = try TOMLTable(monitor.assembly)
            root["compression"] = try TOMLTable(monitor.compression)
            root["estimation"] = try TOMLTable(monitor.estimation)
            root["scheduler"] = try TOMLTable(monitor.scheduler)
            root["alerts"] = try TOMLTable(monitor.alerts)
            root["store"] = try TOMLTable(store)
        } catch {
            return "# could not render the monitor sections: \(error)\n"
        }
        return Self.snakeCased(root).convert(to: .toml) + "\n"
    }

    /// `table` with its keys, and those of the tables in it, in snake_case.
    private static func snakeCased(_ table: TOMLTable) -> TOMLTable {
        let renamed = TOMLTable()
        for (key, value) in table {
            renamed[ConfigurationCoding.snakeCase(key)] = value.table.map(snakeCased) ?? value
        }
        return renamed
    }
}
