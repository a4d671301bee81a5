import Foundation

/// A real `infoplaned` started by a test on a temporary Unix socket (optionally also an
/// ephemeral TCP port) with the counting sink, stopped with SIGTERM.
///
/// The binary is `$INFOPLANED_BINARY`, else the `infoplaned` next to the test bundle
/// (`swift build --build-tests` puts every product in the same folder).
final class TestDaemon {
    let directory: URL
    let socketPath: String
    let reportPath: String
    let logPath: String
    private(set) var tcpAddress: String?
    private let process = Process()

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["INFOPLANED_BINARY"] { return URL(fileURLWithPath: path) }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("infoplaned")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: ".build/debug/infoplaned")
    }

    /// A fresh short directory under /tmp (Unix socket paths are limited to 107 bytes).
    static func temporaryDirectory() throws -> URL {
        let url = URL(fileURLWithPath: "/tmp/cc-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    init(tcp: Bool = false, arguments: [String] = []) throws {
        directory = try Self.temporaryDirectory()
        socketPath = directory.appendingPathComponent("s.sock").path
        reportPath = directory.appendingPathComponent("report.json").path
        logPath = directory.appendingPathComponent("daemon.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = Self.binary
        process.arguments = ["--socket", socketPath, "--state-dir", directory.appendingPathComponent("state").path,
                             "--sink", "counting", "--no-http", "--sink-report", reportPath]
            + (tcp ? ["--tcp", "127.0.0.1:0"] : ["--no-tcp"]) + arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        process.environment = environment
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try waitUntilReady(tcp: tcp)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    private func waitUntilReady(tcp: Bool) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = log
            if text.contains("] ready") {
                if tcp, let range = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    tcpAddress = String(text[range])
                }
                return
            }
            guard process.isRunning else { throw TestDaemonError("infoplaned exited early:\n\(text)") }
            usleep(20_000)
        }
        throw TestDaemonError("infoplaned did not become ready within 30 s:\n\(log)")
    }

    /// SIGTERM, then waits for the exit (the counting sink writes its report on exit).
    func stop() throws {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning {
            guard Date() < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw TestDaemonError("infoplaned did not exit within 30 s of SIGTERM:\n\(log)")
            }
            usleep(10_000)
        }
    }

    /// Stops the daemon and decodes the counting sink's report.
    func stopAndReadReport() throws -> SinkReport {
        try stop()
        let data = try Data(contentsOf: URL(fileURLWithPath: reportPath))
        return try JSONDecoder().decode(SinkReport.self, from: data)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

struct TestDaemonError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The JSON `infoplaned --sink counting --sink-report PATH` writes on exit.
struct SinkReport: Decodable {
    struct Tally: Decodable, Equatable {
        var run: String
        var layer: String
        var split: String
        var step: Int64
        var chunks: Int
        var rows: Int
        var values: Int
        /// Hexadecimal sum of per-row FNV-1a hashes (see CountingSnapshotSink.checksum).
        var checksum: String
    }
    struct Scalar: Decodable, Equatable {
        var run: String
        var step: Int64
        var split: String
        var values: [String: Double]
    }
    var runs: [String]
    var tallies: [Tally]
    var scalars: [Scalar]

    func tally(run: String, layer: String, step: Int64) -> Tally? {
        tallies.first { $0.run == run && $0.layer == layer && $0.step == step }
    }
}
