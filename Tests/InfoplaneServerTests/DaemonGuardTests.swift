import Foundation
import InfoplaneClient
import InfoplaneTestSupport
import Testing

/// One daemon per state directory and per socket (lock files naming their holder), and the
/// file-descriptor limit in the log: at start and when the daemon runs out.
@Suite(.serialized) struct DaemonGuardTests {
    /// A second daemon on the same socket and state directory exits non-zero and names the
    /// first one's pid; the first keeps its socket and serves on.
    @Test func aSecondDaemonOnTheSameStateDirectoryIsRefusedAndNamesTheFirst() throws {
        let first = try DaemonProcess(sink: "monitor")
        let pid = first.process.processIdentifier
        let state = first.directory.appendingPathComponent("state").path
        let second = try DaemonProcess(sink: "monitor", arguments: ["--socket", first.socketPath, "--state-dir", state],
                                       directory: DaemonProcess.temporaryDirectory(), waitUntilReady: false)
        let status = try second.waitForExit(timeout: 30)
        #expect(status != 0)
        #expect(second.log.contains("the state directory \(state) is in use: another infoplaned (pid \(pid)) holds the lock \(state)/infoplaned.lock"), "\(second.log)")
        #expect(LockFileContents.pid(at: state + "/infoplaned.lock") == pid)
        try Self.expectServes(first)
        #expect(try first.stop() == 0)
    }

    /// A second daemon with a state directory of its own but the same socket path does not
    /// remove and rebind the first one's socket: it exits non-zero naming the first's pid.
    @Test func aSecondDaemonOnTheSameSocketIsRefusedAndNamesTheFirst() throws {
        let first = try DaemonProcess(sink: "monitor")
        let pid = first.process.processIdentifier
        let inode = try Self.inode(first.socketPath)
        let second = try DaemonProcess(sink: "monitor", arguments: ["--socket", first.socketPath],
                                       directory: DaemonProcess.temporaryDirectory(), waitUntilReady: false)
        let status = try second.waitForExit(timeout: 30)
        #expect(status != 0)
        #expect(second.log.contains("the socket \(first.socketPath) is in use: another infoplaned (pid \(pid)) holds the lock \(first.socketPath).lock"), "\(second.log)")
        #expect(try Self.inode(first.socketPath) == inode, "the socket file was replaced")
        try Self.expectServes(first)
        #expect(try first.stop() == 0)
    }

    /// The locks die with their holder: after kill -9 a new daemon takes the same state
    /// directory and socket (stale socket file and lock files in place) and serves.
    @Test func theLocksOfAKilledDaemonDoNotBlockItsSuccessor() throws {
        let first = try DaemonProcess(sink: "monitor")
        first.signal(SIGKILL)
        _ = try first.waitForExit(timeout: 10)
        let state = first.directory.appendingPathComponent("state").path
        #expect(FileManager.default.fileExists(atPath: first.socketPath))
        let second = try DaemonProcess(sink: "monitor", arguments: ["--socket", first.socketPath, "--state-dir", state],
                                       directory: DaemonProcess.temporaryDirectory())
        #expect(LockFileContents.pid(at: state + "/infoplaned.lock") == second.process.processIdentifier)
        #expect(LockFileContents.pid(at: first.socketPath + ".lock") == second.process.processIdentifier)
        let session = try InfoplaneSession(address: first.socketPath)
        try session.hello(run: "successor")
        try session.goodbye()
        #expect(try second.stop() == 0)
    }

    /// The limit is logged at start (as /proc says it is). With the soft limit lowered to
    /// a few descriptors above what the daemon holds, 40 idle connections exhaust it: the
    /// daemon warns that it passed 90 % and that accept failed (once each, rate-limited),
    /// keeps running, and serves again once the connections are closed.
    @Test func theDescriptorLimitIsLoggedAtStartAndNearExhaustion() throws {
        let daemon = try DaemonProcess()
        let pid = daemon.process.processIdentifier
        let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        let soft = String(fields[3]), hard = String(fields[4])
        let start = try #require(daemon.log.split(separator: "\n").first { $0.contains("file descriptor limit") })
        #expect(start.contains("soft_limit=\(soft)") && start.contains("hard_limit=\(hard)"), "\(start) vs \(line)")

        // prlimit(1) (util-linux) sets the running daemon's soft limit.
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        let lowered = try ProgramRun.run("/usr/bin/prlimit", ["--pid", "\(pid)", "--nofile=\(open + 12):\(hard)"])
        try #require(lowered.status == 0, "prlimit: \(lowered.combined)")
        var clients: [InfoplaneConnection] = []
        for _ in 0..<40 { clients.append(try InfoplaneConnection(address: daemon.socketPath)) }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && !(daemon.log.contains("accepting a connection failed: out of file descriptors")
                                     && daemon.log.contains("open file descriptors are above 90 %")) {
            usleep(100_000)
        }
        let log = daemon.log
        #expect(log.contains("accepting a connection failed: out of file descriptors"), "\(log.suffix(3000))")
        #expect(log.contains("open file descriptors are above 90 %"), "\(log.suffix(3000))")
        #expect(log.components(separatedBy: "accepting a connection failed").count - 1 <= 2, "not rate-limited:\n\(log.suffix(3000))")
        #expect(daemon.process.isRunning)
        print(log.split(separator: "\n").filter { $0.contains("descriptor") }.joined(separator: "\n"))

        clients.removeAll()
        #expect(try ProgramRun.run("/usr/bin/prlimit", ["--pid", "\(pid)", "--nofile=\(soft):\(hard)"]).status == 0)
        let session = try InfoplaneSession(address: daemon.socketPath)
        try session.hello(run: "after-exhaustion")
        try session.goodbye()
        #expect(try daemon.stop() == 0)
    }

    static func expectServes(_ daemon: DaemonProcess) throws {
        #expect(daemon.process.isRunning)
        let session = try InfoplaneSession(address: daemon.socketPath)
        try session.hello(run: "still-served")
        try session.goodbye()
    }

    static func inode(_ path: String) throws -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw InfoplaneClientError.io("stat \(path)", errno: errno) }
        return UInt64(info.st_ino)
    }
}

/// The pid a daemon's lock file holds.
enum LockFileContents {
    static func pid(at path: String) -> Int32? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
