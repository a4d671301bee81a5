import ArgumentParser
import Foundation
import InfoplaneClient
import InfoplaneProtocol

#if canImport(Glibc)
import Glibc
#endif

/// `infoplane-bench ingest`: snapshot throughput over the Unix socket into a real
/// `infoplaned` (`--sink discard`: decoded, validated, counted, acknowledged; no estimation), against a raw Unix-socket baseline that
/// moves the same bytes with no protobuf and no validation, measured in the same run.
struct BenchIngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest throughput vs a raw Unix-socket baseline (goal: ratio >= 0.7).")

    @Option(help: "The infoplaned binary (default: next to this infoplane-bench).")
    var daemon: String?

    @Option(help: "Frames (snapshot messages) per measurement.")
    var frames = 30

    @Option(help: "Rows per snapshot.")
    var rows = 4096

    @Option(help: "F32 columns per snapshot.")
    var columns = 1024

    @Option(help: "Frames sent before each measurement starts (not timed): the receiver's first frames pay for fresh memory (page faults) and, in the daemon, a session's setup; a daemon streams for hours, so the steady state is what is measured. The raw baseline warms up the same way.")
    var warmup = 5

    @Option(help: "Repetitions of each measurement (the best is reported).")
    var repeats = 3

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let binary = daemon ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("infoplaned").path
        let dir = "/tmp/infoplane-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        // One serialised snapshot; each message is `sequence` + these bytes (protobuf fields
        // may come in any order), so the client spends no time serialising.
        var snapshot = Infoplane_V1_Snapshot()
        snapshot.step = 1
        snapshot.layer = "bench"
        snapshot.role = .hidden
        snapshot.chunkCount = 1
        snapshot.values = Infoplane_V1_Tensor(floats: (0..<(rows * columns)).map { Float($0 % 1000) * 1e-3 }, shape: [rows, columns])
        snapshot.sampleIds = Infoplane_V1_Tensor(int64s: (0..<rows).map(Int64.init), shape: [rows])
        var body = Infoplane_V1_ClientMessage()
        body.snapshot = snapshot
        let payload: [UInt8] = try body.serializedBytes()
        // Length prefix + sequence field + payload, as sent.
        let messageBytes = payload.count + 8

        var daemonBest = 0.0
        var rawBest = 0.0
        var keepingBest = 0.0
        for _ in 0..<repeats {
            daemonBest = max(daemonBest, try measureDaemon(binary: binary, dir: dir, payload: payload))
            rawBest = max(rawBest, try measureRaw(dir: dir, bytesPerFrame: messageBytes, keepingFrames: false))
            keepingBest = max(keepingBest, try measureRaw(dir: dir, bytesPerFrame: messageBytes, keepingFrames: true))
        }
        let result: [String: Any] = [
            "benchmark": "ingest", "frames": frames, "warmup_frames": warmup, "rows": rows, "columns": columns,
            "message_bytes": messageBytes,
            "daemon_mb_per_s": daemonBest * Double(messageBytes) / 1e6,
            "daemon_frames_per_s": daemonBest,
            "raw_mb_per_s": rawBest * Double(messageBytes) / 1e6,
            "ratio": daemonBest / rawBest,
            "raw_keeping_frames_mb_per_s": keepingBest * Double(messageBytes) / 1e6,
            "ratio_to_raw_keeping_frames": daemonBest / keepingBest,
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "ingest: %d frames of %d x %d F32 (%.1f MB each) after %d untimed, best of %d", frames, rows, columns, Double(messageBytes) / 1e6, warmup, repeats))
            print(String(format: "  infoplaned (unix socket, protobuf, validation, acks): %7.1f frames/s  %8.1f MB/s", daemonBest, daemonBest * Double(messageBytes) / 1e6))
            print(String(format: "  raw unix socket (same bytes, no protobuf):           %7.1f frames/s  %8.1f MB/s", rawBest, rawBest * Double(messageBytes) / 1e6))
            print(String(format: "  ratio: %.2f (goal >= 0.70)", daemonBest / rawBest))
            print(String(format: "  for scale, a raw reader that keeps each frame (recv into a frame-sized buffer): %.1f MB/s, ratio %.2f",
                         keepingBest * Double(messageBytes) / 1e6, daemonBest / keepingBest))
        }
    }

    /// Frames per second through a real daemon, from the first byte sent to the last Ack.
    func measureDaemon(binary: String, dir: String, payload: [UInt8]) throws -> Double {
        let socket = "\(dir)/d.sock"
        let config = "\(dir)/infoplaned.toml"
        _ = FileManager.default.createFile(atPath: config, contents: Data("# defaults\n".utf8))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--socket", socket, "--no-tcp", "--sink", "discard", "--state-dir", dir,
                             "--config", config, "--log-level", "warning", "--credits", "16", "--no-http"]
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        var session: InfoplaneSession?
        for _ in 0..<200 where session == nil {
            session = try? InfoplaneSession(address: socket)
            if session == nil { usleep(25_000) }
        }
        guard let s = session else { throw ValidationError("infoplaned did not start (\(binary))") }
        try s.hello(run: "bench")
        var credits = s.credits
        var sequence: UInt64 = 1
        /// Streams `count` frames within the credits and waits for every Ack.
        func stream(_ count: Int) throws {
            var sent = 0
            var answered = 0
            while answered < count {
                while credits > 0 && sent < count {
                    sequence += 1
                    var prefix: [UInt8] = []
                    appendVarint(&prefix, UInt64(payload.count + 1 + varintSize(sequence)))
                    prefix.append(0x08)
                    appendVarint(&prefix, sequence)
                    try prefix.withUnsafeBytes { try s.connection.writeAll($0) }
                    try payload.withUnsafeBytes { try s.connection.writeAll($0) }
                    sent += 1
                    credits -= 1
                }
                guard let reply = try s.connection.receive(timeout: 60) else { throw ValidationError("daemon closed") }
                if case .error(let e) = reply.kind { throw ValidationError("daemon refused a frame: \(e.message)") }
                credits += Int(reply.ack.credits)
                answered += 1
            }
        }
        try stream(warmup)
        let start = Date()
        try stream(frames)
        let rate = Double(frames) / Date().timeIntervalSince(start)
        // End the session before stopping the daemon, as a client would (otherwise the
        // daemon tells the still-open session it is shutting down, and logs that).
        try s.goodbye(reason: "benchmark done")
        return rate
    }

    /// Frames per second moving the same number of bytes through a Unix socket to a reader
    /// thread that only reads them, in the same sized writes, with one reply at the end.
    /// The reader `recv`s into one 64 KiB buffer (stays in cache; the baseline of the goal),
    /// or, `keepingFrames`, into two frame-sized buffers used in turn — what a receiver that
    /// keeps each frame for later would do at least, shown for scale.
    func measureRaw(dir: String, bytesPerFrame: Int, keepingFrames: Bool) throws -> Double {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw ValidationError("socketpair failed") }
        let (writer, reader) = (fds[0], fds[1])
        let phases = [bytesPerFrame * warmup, bytesPerFrame * frames]
        let done = DispatchSemaphore(value: 0)
        let readerThread = Thread {
            let frameBuffers = keepingFrames ? 2 : 0
            var buffers = (0..<max(frameBuffers, 1)).map { _ in [UInt8](repeating: 0, count: keepingFrames ? bytesPerFrame : 1 << 16) }
            for total in phases {
                var received = 0
                while received < total {
                    let n: Int
                    if keepingFrames {
                        let frame = received / bytesPerFrame, offset = received % bytesPerFrame
                        n = buffers[frame % frameBuffers].withUnsafeMutableBytes { recv(reader, $0.baseAddress! + offset, bytesPerFrame - offset, 0) }
                    } else {
                        n = buffers[0].withUnsafeMutableBytes { recv(reader, $0.baseAddress!, $0.count, 0) }
                    }
                    if n <= 0 { break }
                    received += n
                }
                var one: UInt8 = 1
                _ = send(reader, &one, 1, 0)
            }
            done.signal()
        }
        readerThread.start()
        let frame = [UInt8](repeating: 7, count: bytesPerFrame)
        /// Writes `count` frames and waits for the reader's one-byte reply.
        func stream(_ count: Int) throws {
            for _ in 0..<count {
                try frame.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = send(writer, raw.baseAddress! + offset, raw.count - offset, 0)
                        guard n > 0 else { throw ValidationError("raw send failed") }
                        offset += n
                    }
                }
            }
            var reply: UInt8 = 0
            _ = recv(writer, &reply, 1, 0)
        }
        try stream(warmup)
        let start = Date()
        try stream(frames)
        let elapsed = Date().timeIntervalSince(start)
        done.wait()
        close(writer)
        close(reader)
        return Double(frames) / elapsed
    }

    func varintSize(_ v: UInt64) -> Int {
        var n = 1
        var v = v
        while v >= 0x80 { v >>= 7; n += 1 }
        return n
    }

    func appendVarint(_ out: inout [UInt8], _ value: UInt64) {
        var v = value
        while v >= 0x80 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }
}
