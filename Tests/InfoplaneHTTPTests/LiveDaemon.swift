import Foundation
import InfoplaneTestSupport

/// A real `infoplaned` (monitor sink, HTTP on an ephemeral port) whose store starts with
/// `KnownRun`'s data, and a runner for the `infoplane` CLI against it.
struct LiveDaemon {
    let process: DaemonProcess
    let known: KnownRun
    var endpoint: String { "http://\(process.httpAddress ?? "?")" }

    init(configuration: String = "") async throws {
        let directory = DaemonProcess.temporaryDirectory("iph")
        known = try await KnownRun(directory: directory.appendingPathComponent("state"))
        try Data(("# HTTP test daemon\n" + configuration).utf8).write(to: directory.appendingPathComponent("infoplaned.toml"))
        process = try DaemonProcess(sink: "monitor", http: true, directory: directory)
        guard process.httpAddress != nil else { throw TestFailure("no 'http listening' address in the log:\n\(process.log)") }
    }
}

enum CLI {
    static var binary: URL { DaemonProcess.productsDirectory.appendingPathComponent("infoplane") }

    /// Runs `infoplane arguments...` to completion.
    static func run(_ arguments: [String]) throws -> ProgramOutput {
        try ProgramRun.run(binary, arguments)
    }
}
