import Foundation
import InfoplaneClient
import InfoplaneTestSupport
import Testing

/// systemd integration with the real tools: a NOTIFY_SOCKET the test listens on,
/// `systemd-socket-activate`, `systemd-analyze verify`.
@Suite struct SystemdIntegrationTests {
    /// A datagram socket standing in for the service manager's notification socket.
    final class NotifyListener {
        let path: String
        let fd: Int32

        init(directory: URL) throws {
            path = directory.appendingPathComponent("notify.sock").path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                let bytes = Array(path.utf8)
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard rc == 0 else { throw InfoplaneClientError.io("bind notify socket", errno: errno) }
        }

        deinit { close(fd) }

        /// Collects datagrams until `done` says enough or the timeout passes.
        func collect(timeout: Double, until done: ([String]) -> Bool) -> [String] {
            var messages: [String] = []
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline && !done(messages) {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 100) > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = recv(fd, &buffer, buffer.count, 0)
                if n > 0 { messages.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
            }
            return messages
        }
    }

    @Test func notifiesReadyStatusWatchdogAndStopping() throws {
        let dir = DaemonProcess.temporaryDirectory("sd")
        let listener = try NotifyListener(directory: dir)
        let daemon = try DaemonProcess(
            arguments: ["--status-interval-seconds", "1"],
            environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000"],
            directory: dir, waitUntilReady: false)
        let lines = listener.collect(timeout: 20) { messages in
            messages.contains { $0.contains("READY=1") }
                && messages.filter { $0.contains("WATCHDOG=1") }.count >= 2
                && messages.contains { $0.hasPrefix("STATUS=") && $0.contains("connections") }
        }
        #expect(lines.contains { $0.contains("READY=1") })
        #expect(lines.filter { $0.contains("WATCHDOG=1") }.count >= 2)
        #expect(lines.contains { $0.hasPrefix("STATUS=") && $0.contains("connections") })
        daemon.signal(SIGTERM)
        let stopping = listener.collect(timeout: 10) { $0.contains { $0.contains("STOPPING=1") } }
        #expect(stopping.contains { $0.contains("STOPPING=1") })
        #expect(try daemon.waitForExit() == 0)
    }

    /// READY=1 waits for the HTTP listener too: a daemon whose HTTP port is taken (here by
    /// another daemon) never says READY=1, and exits non-zero naming the address.
    @Test func neverReadyWhenTheHTTPPortIsTaken() throws {
        let first = try DaemonProcess(http: true)
        defer { _ = try? first.stop() }
        let taken = try #require(first.httpAddress)
        let dir = DaemonProcess.temporaryDirectory("sd-http")
        let listener = try NotifyListener(directory: dir)
        let second = try DaemonProcess(http: true, arguments: ["--http", taken], environment: ["NOTIFY_SOCKET": listener.path],
                                       directory: dir, waitUntilReady: false)
        let status = try second.waitForExit()
        let messages = listener.collect(timeout: 0.5) { _ in false }
        #expect(status != 0)
        #expect(!messages.contains { $0.contains("READY=1") }, "READY=1 sent although HTTP could not bind: \(messages)")
        #expect(second.log.contains("cannot serve HTTP on \(taken)"), "\(second.log)")
    }

    @Test func servesOnTheSocketPassedBySystemdSocketActivate() throws {
        let tool = "/usr/bin/systemd-socket-activate"
        try #require(FileManager.default.isExecutableFile(atPath: tool), "systemd-socket-activate is part of Debian's systemd package")
        let dir = DaemonProcess.temporaryDirectory("sa")
        let socketPath = dir.appendingPathComponent("activated.sock").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        // The daemon's own --socket points elsewhere: it must use the passed socket instead.
        process.arguments = ["-l", socketPath, DaemonProcess.binary.path,
                             "--socket", dir.appendingPathComponent("unused.sock").path, "--no-tcp", "--no-http",
                             "--state-dir", dir.path, "--sink-report", dir.appendingPathComponent("report.json").path]
        let log = dir.appendingPathComponent("log.txt")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // systemd-socket-activate binds first and starts the daemon on the first connection.
        var session: InfoplaneSession?
        for _ in 0..<100 where session == nil {
            session = try? InfoplaneSession(address: socketPath)
            if session == nil { usleep(50_000) }
        }
        let s = try #require(session)
        try s.hello(run: "activated")
        try s.send(snapshot: SnapshotFactory.snapshot(step: 1))
        try s.goodbye()
        #expect(s.errors.isEmpty)
        #expect(s.acknowledged.count == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("unused.sock").path))
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(text.contains("socket activated"))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func systemdAnalyzeVerifyAcceptsTheUnits() throws {
        let tool = "/usr/bin/systemd-analyze"
        try #require(FileManager.default.isExecutableFile(atPath: tool))
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = DaemonProcess.temporaryDirectory("units")
        for unit in ["infoplaned.service", "infoplaned.socket"] {
            var text = try String(contentsOf: repo.appendingPathComponent("systemd/\(unit)"), encoding: .utf8)
            text = text.replacingOccurrences(of: "/usr/local/bin/infoplaned", with: DaemonProcess.binary.path)
            try text.write(to: dir.appendingPathComponent(unit), atomically: true, encoding: .utf8)
        }
        let verified = try ProgramRun.run(tool, ["verify", "--man=no",
                                                 dir.appendingPathComponent("infoplaned.socket").path,
                                                 dir.appendingPathComponent("infoplaned.service").path])
        #expect(verified.status == 0, "systemd-analyze verify said:\n\(verified.combined)")
        // The same service with a missing binary must fail, so the check above is not vacuous.
        let broken = dir.appendingPathComponent("broken.service")
        let service = try String(contentsOf: dir.appendingPathComponent("infoplaned.service"), encoding: .utf8)
        try service.replacingOccurrences(of: DaemonProcess.binary.path, with: "/nonexistent/infoplaned")
            .replacingOccurrences(of: "Requires=infoplaned.socket", with: "")
            .write(to: broken, atomically: true, encoding: .utf8)
        #expect(try ProgramRun.run(tool, ["verify", "--man=no", broken.path]).status != 0)
    }
}
