import Foundation
import Synchronization

/// What a program run to completion printed, and how it ended.
public struct ProgramOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Both streams, standard output first (for messages and `contains` checks).
    public var combined: String { stdout + stderr }
}

/// Runs tools the tests check against (the CLI, promtool, systemd-analyze, Chromium, the
/// daemon's --check-config, the Python demo) to completion.
public enum ProgramRun {
    /// Runs `executable arguments...` in `directory`, collecting standard output and error
    /// (read concurrently, so neither pipe fills and blocks the program); terminates it
    /// after `timeout` seconds.
    public static func run(_ executable: URL, _ arguments: [String], directory: URL? = nil,
                           timeout: Double = 120) throws -> ProgramOutput {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        defer { killer.cancel() }
        let stderrData = Mutex(Data())
        let stderrDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            stderrData.withLock { $0 = data }
            stderrDone.signal()
        }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        stderrDone.wait()
        process.waitUntilExit()
        return ProgramOutput(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                             stderr: String(decoding: stderrData.withLock { $0 }, as: UTF8.self))
    }

    public static func run(_ path: String, _ arguments: [String], directory: URL? = nil, timeout: Double = 120) throws -> ProgramOutput {
        try run(URL(fileURLWithPath: path), arguments, directory: directory, timeout: timeout)
    }
}
