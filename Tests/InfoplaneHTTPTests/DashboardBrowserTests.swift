import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import InfoplaneTestSupport
import Testing

/// A real headless Chromium opens the dashboard of a live daemon fed by the numpy demo
/// (Clients/python/examples/szt_demo.py over the daemon's Unix socket), and must draw one
/// information-plane trajectory per layer with one point per estimated probe frame.
/// Saves a screenshot as TestArtifacts/dashboard.png.
@Suite(.serialized) struct DashboardBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var artifacts: URL {
        let url = repository.appendingPathComponent("TestArtifacts")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Headless Chromium (sandbox-free, GPU-free) on the dashboard in snapshot mode.
    static func runChromium(_ arguments: [String], profile: URL) throws -> ProgramOutput {
        try ProgramRun.run(chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                            "--user-data-dir=\(profile.path)", "--virtual-time-budget=10000"] + arguments, timeout: 120)
    }

    static func getJSON(_ url: String) async throws -> [String: Any] {
        let (data, _) = try await URLSession.shared.data(from: URL(string: url)!)
        return try json(String(decoding: data, as: UTF8.self))
    }

    /// Per layer, the number of (binning, binning) information-plane points the API serves.
    static func binningTrajectories(_ endpoint: String, run: String) async throws -> [String: Int] {
        let plane = try await getJSON("\(endpoint)/v1/runs/\(run)/infoplane")
        let pairings = plane["pairings"] as? [[String: Any]] ?? []
        guard let binning = pairings.first(where: { $0["x_estimator"] as? String == "binning" && $0["y_estimator"] as? String == "binning" }),
              let layers = binning["layers"] as? [[String: Any]] else { return [:] }
        var out: [String: Int] = [:]
        for layer in layers { out[layer["layer"] as? String ?? "?"] = (layer["points"] as? [Any])?.count ?? 0 }
        return out
    }

    @Test(.enabled(if: chromium != nil, "headless Chromium is not installed (Debian package chromium; `make deps`)"))
    func dashboardOfADemoRunDrawsOneTrajectoryPerLayer() async throws {
        let directory = DaemonProcess.temporaryDirectory("ipb")
        // Binning only: the test is about drawing, not estimator speed.
        try Data("""
            [estimation]
            estimators = ["binning_ixt", "binning_ity"]
            """.utf8).write(to: directory.appendingPathComponent("infoplaned.toml"))
        let daemon = try DaemonProcess(sink: "monitor", http: true, directory: directory)
        let endpoint = "http://\(daemon.httpAddress ?? "?")"
        let run = "browser-demo"

        // The demo: 60 epochs, a probe frame of all 4096 patterns every 20 epochs.
        let demo = try ProgramRun.run("/usr/bin/env", ["python3", "Clients/python/examples/szt_demo.py", "--epochs", "60", "--every", "20",
                                                       "--run", run, "--address", daemon.socketPath, "--quiet", "--result-json"],
                                      directory: Self.repository, timeout: 300)
        try #require(demo.status == 0, "demo failed: \(demo.stderr.suffix(2000))")
        let resultLine = try #require(demo.stdout.split(separator: "\n").first { $0.hasPrefix("RESULT ") }, "\(demo.stdout)")
        let result = try json(String(resultLine.dropFirst("RESULT ".count)))
        let frames = try #require(result["frames"] as? Int)
        #expect(frames >= 3)
        #expect((result["stats"] as? [String: Any])?["dropped"] as? Int == 0)

        // Wait until every frame is estimated for every layer.
        let layers = ["layer1", "layer2", "layer3", "layer4", "layer5", "output"]
        var counts: [String: Int] = [:]
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            counts = try await Self.binningTrajectories(endpoint, run: run)
            if counts.count == layers.count && counts.values.allSatisfy({ $0 == frames }) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        try #require(counts == Dictionary(uniqueKeysWithValues: layers.map { ($0, frames) }), "the daemon estimated: \(counts)")
        let alertCount = (try await Self.getJSON("\(endpoint)/v1/alerts?run=\(run)")["alerts"] as? [Any])?.count ?? -1

        let profile = directory.appendingPathComponent("chromium-profile")
        let url = endpoint + "/?run=\(run)&live=0"
        let dom = try Self.runChromium(["--dump-dom", url], profile: profile)
        #expect(dom.status == 0, "chromium: \(dom.stderr.suffix(2000))")
        let html = dom.stdout
        #expect(html.contains(#"data-ready="1""#), "the page never finished drawing:\n\(html.prefix(3000))")
        let svg = try #require(html.firstMatch(of: /<svg id="infoplane"[^>]*>/).map { String($0.output) }, "no plane svg:\n\(html.prefix(3000))")
        #expect(svg.contains(#"data-layers="\#(layers.count)""#), "\(svg)")
        #expect(svg.contains(#"data-pairing="binning/binning""#), "\(svg)")
        let trajectories = html.matches(of: /<g class="trajectory" data-layer="([^"]+)" data-points="(\d+)">/)
        #expect(trajectories.map { String($0.output.1) } == layers)
        #expect(trajectories.map { Int($0.output.2) } == layers.map { _ in frames })
        // The series charts (I(X;T) and I(T;Y) per layer), the scalars and the alert list are drawn too.
        #expect(html.matches(of: /<g class="series" data-name="[a-z0-9]+ binning" data-points="(\d+)">/)
            .filter { Int($0.output.1) == frames }.count == 2 * layers.count, "binning series, two per layer, \(frames) points each")
        #expect(html.contains(#"data-alerts="\#(alertCount)""#), "alert list of \(alertCount)")
        // The header says estimation has caught up: nothing waits, no lag.
        let lag = try #require(html.firstMatch(of: /<span id="estimation-lag"[^>]*>[^<]*</).map { String($0.output) }, "no lag line")
        #expect(lag.contains(#"data-frames-waiting="0""#) && lag.contains(#"data-lag-steps="0""#) && lag.contains("estimated up to step"), "\(lag)")

        let shot = Self.artifacts.appendingPathComponent("dashboard.png")
        try? FileManager.default.removeItem(at: shot)
        let screenshot = try Self.runChromium(["--screenshot=\(shot.path)", "--window-size=1400,1500", "--hide-scrollbars", url], profile: profile)
        #expect(screenshot.status == 0, "chromium: \(screenshot.stderr.suffix(2000))")
        let size = (try? FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int) ?? 0
        #expect(size > 10_000, "screenshot at \(shot.path) is \(size) bytes")
        #expect(try daemon.stop() == 0)
    }
}
