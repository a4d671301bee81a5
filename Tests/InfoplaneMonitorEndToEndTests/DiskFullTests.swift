import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

extension MonitorEndToEndTests {
    /// Whether a tmpfs can be mounted here; prints why not (the test is then skipped).
    static let canMountTmpfs: Bool = {
        if let reason = TmpfsMount.unavailableReason {
            print("DiskFull test skipped: \(reason)")
            return false
        }
        return true
    }()

    /// The state directory on a real filesystem that fills up (a 4 MiB tmpfs): with the
    /// disk full, `/healthz` is degraded (503) and names the full disk, the store-error
    /// counter counts, scalars and a new Hello are refused with ERROR_CODE_STORE_FULL and a
    /// message that asks for no restart, while the frames are acknowledged and wait in the
    /// retry queue. Once space is freed, /healthz is ok again, nothing was lost and every
    /// acknowledged frame's points are in the store.
    @Test(.enabled("mounting a tmpfs needs root (CI runs as root); the reason is printed") { canMountTmpfs })
    func diskFullIsVisibleAndAcknowledgedFramesAreStoredWhenSpaceReturns() async throws {
        let directory = DaemonProcess.temporaryDirectory("ipfull")
        let mount = try TmpfsMount(path: directory.appendingPathComponent("state").path, bytes: 4 << 20)
        defer { mount.unmount() }
        let daemon = try MonitorDaemon(configuration: ScenarioConfiguration.estimation(["binning_ixt", "binning_ity"]),
                                       directory: directory, http: true)
        defer { _ = try? daemon.process.stop() }
        let http = try #require(daemon.process.httpAddress)
        let run = "full"
        let rows = 256
        let socket = daemon.socketPath

        // Before: a few frames stored, healthy.
        let session = try await BlockingWorkers.run { () -> SendableSession in
            let s = try InfoplaneSession(address: socket)
            try s.hello(run: run)
            for step in Int64(0)..<3 { try s.sendFrame(step: step, split: .probe, layers: Self.crashFrame(step: step, rows: rows)) }
            try s.drain()
            return SendableSession(s)
        }
        let before = try daemon.waitForStore(timeout: 60, read: { try $0.points(run: run) }) { Set($0.map(\.step)).count == 3 }
        #expect(Set(before.map(\.step)) == [0, 1, 2])
        let pointsPerFrame = before.count / 3
        #expect(try await HTTPProbe.get(http, "/healthz").status == 200)

        // Fill the filesystem, then keep sending frames and scalars until the store refuses.
        try mount.fill()
        print("disk full: \(mount.availableBytes) bytes available on \(mount.path)")
        let sent = try await BlockingWorkers.run { () -> (steps: [Int64], storeErrors: [Infoplane_V1_Error]) in
            let s = session.session
            var steps: [Int64] = []
            var step: Int64 = 3
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                try s.sendFrame(step: step, split: .probe, layers: Self.crashFrame(step: step, rows: rows))
                try s.sendScalars(step: step, ["loss": 1 / Double(step + 1)])
                steps.append(step)
                step += 1
                try s.drain()
                if s.errors.contains(where: { $0.code == .storeFull }) && steps.count >= 5 { break }
            }
            return (steps, s.errors.filter { $0.code == .storeFull })
        }
        print("sent \(sent.steps.count) frames while full; \(sent.storeErrors.count) STORE_FULL errors")
        let refusal = try #require(sent.storeErrors.first, "no ERROR_CODE_STORE_FULL in 60 s of sending to a full disk")
        #expect(refusal.message.contains("disk is full"), "\(refusal.message)")
        #expect(refusal.message.contains("no restart needed"), "\(refusal.message)")
        #expect(!refusal.fatal)

        // A new session's Hello cannot register its run: refused, STORE_FULL.
        let hello = try await BlockingWorkers.run { () -> Infoplane_V1_Error? in
            let s = try InfoplaneSession(address: socket)
            do { try s.hello(run: "another") } catch InfoplaneClientError.server(let e) { return e }
            return nil
        }
        #expect(hello?.code == .storeFull, "Hello on a full disk: \(String(describing: hello))")

        // /healthz degraded with the reason, the counters count.
        let degraded = try await HTTPProbe.waitFor(http, "/healthz", timeout: 10) { $0.status == 503 }
        let health = try #require(degraded.json)
        #expect(health["status"] as? String == "degraded")
        #expect((health["store_error"] as? String)?.contains("disk is full") == true, "\(degraded.body)")
        #expect(health["store_error_since"] != nil)
        let pipeline = try #require(health["pipeline"] as? [String: Any])
        #expect((pipeline["store_errors"] as? Int ?? 0) > 0, "\(degraded.body)")
        #expect((pipeline["points_awaiting_store"] as? Int ?? 0) > 0, "\(degraded.body)")
        #expect(pipeline["points_lost"] as? Int == 0)
        let metrics = try await HTTPProbe.get(http, "/metrics").body
        #expect((HTTPProbe.sample(metrics, "infoplane_store_errors_total") ?? 0) > 0)
        #expect(HTTPProbe.sample(metrics, "infoplane_store_write_failing") == 1)
        #expect((HTTPProbe.sample(metrics, "infoplane_store_points_waiting") ?? 0) > 0)
        print("while full: \(degraded.body)")
        #expect(daemon.process.log.contains("store writes fail: the disk is full"))

        // Free the space: the daemon recovers by itself and writes the waiting frames.
        try FileManager.default.removeItem(atPath: (mount.path as NSString).appendingPathComponent("filler"))
        let recovered = try await HTTPProbe.waitFor(http, "/healthz", timeout: 30) { $0.status == 200 }
        #expect(recovered.json?["status"] as? String == "ok")
        #expect(recovered.json?["store_error"] == nil)
        let expected = Set([0, 1, 2] + sent.steps)
        let after = try daemon.waitForStore(timeout: 60, read: { try $0.points(run: run) }) { Set($0.map(\.step)) == expected }
        let missing = expected.subtracting(after.map(\.step))
        #expect(missing.isEmpty, "acknowledged frames without points after recovery: \(missing.sorted())")
        for step in expected {
            #expect(after.filter { $0.step == step }.count == pointsPerFrame, "step \(step)")
        }
        let final = try await HTTPProbe.waitFor(http, "/healthz", timeout: 10) {
            ($0.json?["pipeline"] as? [String: Any])?["points_awaiting_store"] as? Int == 0
        }
        let finalPipeline = try #require(final.json?["pipeline"] as? [String: Any])
        #expect(finalPipeline["points_lost"] as? Int == 0)
        let metricsAfter = try await HTTPProbe.get(http, "/metrics").body
        #expect(HTTPProbe.sample(metricsAfter, "infoplane_store_write_failing") == 0)
        #expect(HTTPProbe.sample(metricsAfter, "infoplane_points_lost_total{reason=\"store\"}") == 0)
        #expect(daemon.process.log.contains("store writes succeed again"))

        // The session still works: scalars are accepted again.
        let lateErrors = try await BlockingWorkers.run { () -> [Infoplane_V1_Error] in
            let s = session.session
            let errors = s.errors.count
            try s.sendScalars(step: 10_000, ["loss": 0.5])
            try s.drain()
            let late = Array(s.errors.dropFirst(errors))
            try s.goodbye()
            return late
        }
        #expect(lateErrors.isEmpty, "\(lateErrors)")
        #expect(try daemon.process.stop() == 0)
        #expect(try daemon.store.integrityCheck() == ["ok"])
    }
}

extension MonitorEndToEndTests {
    /// With `[store] retry_queue_points = 0` nothing waits for a retry: the points of frames
    /// acknowledged while the disk is full are counted as lost (/healthz `points_lost`,
    /// `infoplane_points_lost_total{reason="store"}`) and logged; the next write after the
    /// space is back makes /healthz ok again.
    @Test(.enabled("mounting a tmpfs needs root (CI runs as root); the reason is printed") { canMountTmpfs })
    func withoutARetryQueueThePointsOfFramesThatCannotBeStoredAreCountedAsLost() async throws {
        let directory = DaemonProcess.temporaryDirectory("ipfull")
        let mount = try TmpfsMount(path: directory.appendingPathComponent("state").path, bytes: 4 << 20)
        defer { mount.unmount() }
        let configuration = ScenarioConfiguration.estimation(["binning_ixt", "binning_ity"]) + "\n[store]\nretry_queue_points = 0\n"
        let daemon = try MonitorDaemon(configuration: configuration, directory: directory, http: true)
        defer { _ = try? daemon.process.stop() }
        let http = try #require(daemon.process.httpAddress)
        let socket = daemon.socketPath
        let run = "lost"
        let session = try await BlockingWorkers.run { () -> SendableSession in
            let s = try InfoplaneSession(address: socket)
            try s.hello(run: run)
            try s.sendFrame(step: 0, split: .probe, layers: Self.crashFrame(step: 0, rows: 256))
            try s.drain()
            return SendableSession(s)
        }
        let before = try daemon.waitForStore(timeout: 60, read: { try $0.points(run: run) }) { !$0.isEmpty }
        try mount.fill()
        try await BlockingWorkers.run {
            for step in Int64(1)...3 { try session.session.sendFrame(step: step, split: .probe, layers: Self.crashFrame(step: step, rows: 256)) }
            try session.session.drain()
        }
        let degraded = try await HTTPProbe.waitFor(http, "/healthz", timeout: 30) {
            ($0.json?["pipeline"] as? [String: Any])?["points_lost"] as? Int == 3 * before.count
        }
        #expect(degraded.status == 503 && degraded.json?["status"] as? String == "degraded", "\(degraded.body)")
        let pipeline = try #require(degraded.json?["pipeline"] as? [String: Any])
        #expect(pipeline["points_lost"] as? Int == 3 * before.count, "\(degraded.body)")
        #expect(pipeline["points_awaiting_store"] as? Int == 0)
        let metrics = try await HTTPProbe.get(http, "/metrics").body
        #expect(HTTPProbe.sample(metrics, "infoplane_points_lost_total{reason=\"store\"}") == Double(3 * before.count))
        #expect(daemon.process.log.contains("the points of the oldest acknowledged frames are lost"))

        try FileManager.default.removeItem(atPath: (mount.path as NSString).appendingPathComponent("filler"))
        try await BlockingWorkers.run {
            try session.session.sendScalars(step: 4, ["loss": 0.25])
            try session.session.drain()
            try session.session.goodbye()
        }
        let recovered = try await HTTPProbe.waitFor(http, "/healthz", timeout: 10) { $0.status == 200 }
        #expect(recovered.json?["status"] as? String == "ok", "\(recovered.body)")
        #expect(Set(try daemon.store.points(run: run).map(\.step)) == [0])
        #expect(try daemon.process.stop() == 0)
    }
}

/// Hands a blocking client session from one worker thread to the next.
final class SendableSession: @unchecked Sendable {
    let session: InfoplaneSession
    init(_ session: InfoplaneSession) { self.session = session }
}

/// GETs of the daemon's HTTP API from a test.
enum HTTPProbe {
    struct Reply: @unchecked Sendable {
        var status: Int
        var body: String
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        }
    }

    static func get(_ address: String, _ path: String) async throws -> Reply {
        let url = URL(string: "http://\(address)\(path)")!
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: url) { data, response, error in
                if let error { continuation.resume(throwing: error); return }
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                continuation.resume(returning: Reply(status: status, body: String(decoding: data ?? Data(), as: UTF8.self)))
            }.resume()
        }
    }

    /// GETs every 0.2 s until `done` holds or `timeout` seconds pass; returns the last reply.
    static func waitFor(_ address: String, _ path: String, timeout: Double, until done: (Reply) -> Bool) async throws -> Reply {
        let deadline = Date().addingTimeInterval(timeout)
        var reply = try await get(address, path)
        while !done(reply) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            reply = try await get(address, path)
        }
        return reply
    }

    /// The value of a sample of the Prometheus exposition (`name` or `name{labels}`).
    static func sample(_ exposition: String, _ name: String) -> Double? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
