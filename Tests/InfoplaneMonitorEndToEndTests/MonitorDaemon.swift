import Foundation
import InfoplaneClient
import InfoplaneTestSupport

/// A real `infoplaned` running the monitoring pipeline (`--sink monitor`) with a scenario's
/// configuration file, and a reader on its store.
struct MonitorDaemon: Sendable {
    let process: DaemonProcess
    let store: StoreReader

    var socketPath: String { process.socketPath }
    var directory: URL { process.directory }
    var pid: Int32 { process.process.processIdentifier }

    /// Writes `configuration` (TOML) as the daemon's configuration file in `directory` (a
    /// fresh temporary one by default) and starts the daemon there.
    /// With `http`, the HTTP API listens on an ephemeral port (`process.httpAddress`).
    init(configuration: String, directory: URL? = nil, logLevel: String = "info", http: Bool = false) throws {
        let directory = directory ?? DaemonProcess.temporaryDirectory("ipm")
        try Data(configuration.utf8).write(to: directory.appendingPathComponent("infoplaned.toml"))
        process = try DaemonProcess(sink: "monitor", http: http, arguments: ["--log-level", logLevel], directory: directory)
        store = StoreReader(stateDirectory: directory.appendingPathComponent("state"))
    }

    /// A new daemon on this one's state directory and configuration file (after this one
    /// stopped or was killed): what a restart finds.
    func restarted() throws -> MonitorDaemon {
        let configuration = try String(contentsOf: directory.appendingPathComponent("infoplaned.toml"), encoding: .utf8)
        return try MonitorDaemon(configuration: configuration, directory: directory)
    }

    /// Polls the store until `done` holds of what it reads, or `timeout` seconds pass.
    /// Reads the store every 0.1 s until `done` or `timeout`; `keepAlive` (a session's
    /// Heartbeat) runs every `keepAliveSeconds` meanwhile, so that a session kept open while a
    /// slow machine estimates is not closed for idleness.
    func waitForStore<T>(timeout: Double, read: (StoreReader) throws -> T, until done: (T) -> Bool,
                         keepAlive: (() throws -> Void)? = nil, keepAliveSeconds: Double = 5) throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        var nextKeepAlive = Date().addingTimeInterval(keepAliveSeconds)
        var last = try read(store)
        while !done(last) && Date() < deadline {
            usleep(100_000)
            if let keepAlive, Date() >= nextKeepAlive {
                try keepAlive()
                nextKeepAlive = Date().addingTimeInterval(keepAliveSeconds)
            }
            last = try read(store)
        }
        return last
    }

    /// The daemon's resident set size now, in bytes (`VmRSS` of /proc/PID/status).
    func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
        return kilobytes * 1024
    }
}

/// Configuration fragments shared by the scenarios.
enum ScenarioConfiguration {
    /// The given estimators, fixed bin range [-1, 1] so binning values depend on the data
    /// only, bits. `framesInMemory` frames of a run are held in memory for the workers (the
    /// others wait in the store).
    static func estimation(_ estimators: [String], extra: String = "", workers: Int = 0, framesInMemory: Int = 3) -> String {
        """
        [estimation]
        estimators = [\(estimators.map { "\"\($0)\"" }.joined(separator: ", "))]
        bin_range = "fixed"
        bin_lower = -1.0
        bin_upper = 1.0
        bins = 30
        units = "bits"
        \(extra)

        [scheduler]
        workers = \(workers)
        frames_in_memory_per_run = \(framesInMemory)

        """
    }
}
