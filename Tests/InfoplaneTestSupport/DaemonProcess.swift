import Foundation
import InfoplaneClient

/// A real `infoplaned` process started by a test on a temporary Unix socket (and, on
/// request, an ephemeral TCP port), with its own state directory.
///
/// The binary is found next to the test bundle (`swift build` puts every product in the
/// same folder) or at `$INFOPLANED_BINARY`.
public final class DaemonProcess: @unchecked Sendable {
    public let directory: URL
    public let socketPath: String
    public let reportPath: String
    public let logPath: String
    public private(set) var tcpAddress: String?
    /// The HTTP API's host:port when started with `http: true` (read back from the log).
    public private(set) var httpAddress: String?
    private let http: Bool
    public let process = Process()

    /// Folder holding the built products (infoplaned, infoplane, the test bundle).
    public static var productsDirectory: URL {
        if let explicit = ProcessInfo.processInfo.environment["INFOPLANE_PRODUCTS_DIR"] {
            return URL(fileURLWithPath: explicit)
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("infoplaned").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug")
    }

    public static var binary: URL {
        if let explicit = ProcessInfo.processInfo.environment["INFOPLANED_BINARY"] { return URL(fileURLWithPath: explicit) }
        return productsDirectory.appendingPathComponent("infoplaned")
    }

    /// A fresh temporary directory (short path: Unix socket paths are limited to 107 bytes).
    public static func temporaryDirectory(_ prefix: String = "ip") -> URL {
        let url = URL(fileURLWithPath: "/tmp").appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Starts the daemon and waits until it accepts connections.
    /// - Parameters:
    ///   - tcp: also listen on 127.0.0.1 on an ephemeral port (read back from the log).
    ///   - arguments: extra flags.
    ///   - environment: extra environment variables.
    ///   - sink: "counting" (the default here: tests read its report) or "monitor".
    ///   - http: serve the HTTP API on 127.0.0.1 on an ephemeral port (else `--no-http`).
    ///   - resourceLimits: `prlimit` options the daemon starts under (e.g. `--as=2147483648`
    ///     for a 2 GiB address space); prlimit sets them and execs the daemon (same pid).
    public init(tcp: Bool = false, sink: String = "counting", http: Bool = false, arguments: [String] = [], environment: [String: String] = [:],
                directory: URL? = nil, waitUntilReady: Bool = true, resourceLimits: [String] = []) throws {
        self.directory = directory ?? Self.temporaryDirectory()
        self.http = http
        socketPath = self.directory.appendingPathComponent("s.sock").path
        reportPath = self.directory.appendingPathComponent("report.json").path
        logPath = self.directory.appendingPathComponent("daemon.log").path
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let configPath = self.directory.appendingPathComponent("infoplaned.toml").path
        if !FileManager.default.fileExists(atPath: configPath) {
            FileManager.default.createFile(atPath: configPath, contents: Data("# test daemon: defaults, flags override\n".utf8))
        }
        process.executableURL = resourceLimits.isEmpty ? Self.binary : URL(fileURLWithPath: "/usr/bin/prlimit")
        var args = ["--socket", socketPath, "--state-dir", self.directory.appendingPathComponent("state").path,
                    "--sink", sink, "--sink-report", reportPath, "--config", configPath]
        args += tcp ? ["--tcp", "127.0.0.1:0"] : ["--no-tcp"]
        args += http ? ["--http", "127.0.0.1:0"] : ["--no-http"]
        process.arguments = resourceLimits.isEmpty ? args + arguments : resourceLimits + ["--", Self.binary.path] + args + arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "JOURNAL_STREAM")
        env.merge(environment) { $1 }
        process.environment = env
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardError = log
        process.standardOutput = log
        try process.run()
        if waitUntilReady { try self.waitUntilReady(tcp: tcp) }
    }

    /// Waits for the "ready" log line, then reads the bound TCP port from the log.
    public func waitUntilReady(tcp: Bool, timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = log
            if text.contains("] ready"), !http || text.contains("http listening") {
                if tcp, let range = text.range(of: #"\[IPv4\]127\.0\.0\.1/127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    let port = text[range].split(separator: ":").last!
                    tcpAddress = "127.0.0.1:\(port)"
                }
                if http, let line = text.split(separator: "\n").first(where: { $0.contains("http listening") }),
                   let range = line.range(of: #"address=\S+"#, options: .regularExpression) {
                    httpAddress = String(line[range].dropFirst("address=".count))
                }
                return
            }
            guard process.isRunning else { throw DaemonProcessError.exited(status: process.terminationStatus, log: text) }
            usleep(20_000)
        }
        throw DaemonProcessError.notReady(log: log)
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Sends SIGTERM and waits for the exit; returns the exit status.
    @discardableResult
    public func stop(timeout: Double = 30) throws -> Int32 {
        if process.isRunning { signal(SIGTERM) }
        return try waitForExit(timeout: timeout)
    }

    public func waitForExit(timeout: Double = 30) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else {
                signal(SIGKILL)
                throw DaemonProcessError.didNotExit(log: log)
            }
            usleep(10_000)
        }
        return process.terminationStatus
    }

    /// Stops the daemon (SIGTERM) and reads the report the counting sink writes on exit.
    public func stopAndReadReport() throws -> SinkReportFile {
        try stop()
        return try report()
    }

    /// The counting sink's report, written on exit.
    public func report() throws -> SinkReportFile {
        try JSONDecoder().decode(SinkReportFile.self, from: Data(contentsOf: URL(fileURLWithPath: reportPath)))
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}

public enum DaemonProcessError: Error, CustomStringConvertible {
    case exited(status: Int32, log: String)
    case notReady(log: String)
    case didNotExit(log: String)

    public var description: String {
        switch self {
        case .exited(let s, let log): return "infoplaned exited with status \(s):\n\(log)"
        case .notReady(let log): return "infoplaned did not become ready:\n\(log)"
        case .didNotExit(let log): return "infoplaned did not exit after SIGTERM:\n\(log)"
        }
    }
}

/// The JSON the counting sink writes (see Sources/infoplaned/SinkReport.swift).
public struct SinkReportFile: Decodable, Sendable {
    public struct Tally: Decodable, Sendable, Hashable {
        public var run: String
        public var layer: String
        public var split: String
        public var step: Int64
        public var chunks: Int
        public var rows: Int
        public var values: Int
        public var checksum: String
    }
    public struct Scalar: Decodable, Sendable, Equatable {
        public var run: String
        public var step: Int64
        public var split: String
        public var values: [String: Double]

        public init(run: String, step: Int64, split: String, values: [String: Double]) {
            (self.run, self.step, self.split, self.values) = (run, step, split, values)
        }
    }
    public var runs: [String]
    public var tallies: [Tally]
    public var scalars: [Scalar]
    public var sessionsEnded: Int

    public func tally(run: String, layer: String, step: Int64) -> Tally? {
        tallies.first { $0.run == run && $0.layer == layer && $0.step == step }
    }
}
