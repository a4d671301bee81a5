import Foundation
import InfoplaneTestSupport
import Testing

/// A real headless Chromium opens the dashboard of a live daemon whose store holds
/// `KnownRun`, and must draw one information-plane trajectory per layer with one point
/// per step. Saves a screenshot under TestArtifacts/.
@Suite(.serialized) struct DashboardBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static var artifacts: URL {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = repo.appendingPathComponent("TestArtifacts")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs Chromium headless with `arguments` (plus sandbox-free, GPU-free defaults).
    static func runChromium(_ arguments: [String], profile: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--user-data-dir=\(profile.path)", "--virtual-time-budget=5000"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let collected = OutputCollector(err.fileHandleForReading)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), collected.text)
    }

    @Test(.enabled(if: chromium != nil, "headless Chromium is not installed (Debian package chromium; `make deps`)"),
          .disabled("KNOWN BROKEN (issue 6): chromium --dump-dom never exits while the dashboard holds its /v1/events stream open; needs a ?live=0 page option or a process timeout"))
    func dashboardDrawsOneTrajectoryPerLayer() async throws {
        let daemon = try await LiveDaemon()
        let profile = daemon.process.directory.appendingPathComponent("chromium-profile")
        let url = daemon.endpoint + "/?run=" + KnownRun.run

        let dom = try Self.runChromium(["--dump-dom", url], profile: profile)
        #expect(dom.status == 0, "chromium: \(dom.stderr.suffix(2000))")
        let html = dom.stdout
        #expect(html.contains(#"data-ready="1""#), "the page never finished drawing:\n\(html.prefix(3000))")
        let svg = try #require(html.firstMatch(of: /<svg id="infoplane"[^>]*>/).map { String($0.output) }, "no plane svg:\n\(html.prefix(3000))")
        #expect(svg.contains(#"data-layers="\#(KnownRun.layers.count)""#), "\(svg)")
        #expect(svg.contains(#"data-pairing="binning/binning""#), "\(svg)")
        let trajectories = html.matches(of: /<g class="trajectory" data-layer="([^"]+)" data-points="(\d+)">/)
        #expect(trajectories.map { String($0.output.1) } == KnownRun.layers)
        #expect(trajectories.map { Int($0.output.2) } == KnownRun.layers.map { _ in KnownRun.steps.count })
        // The series charts and the alert list are drawn too.
        #expect(html.contains(#"data-alerts="2""#))
        #expect(html.matches(of: /<g class="series" data-name="L\d binning" data-points="5">/).count == 2 * KnownRun.layers.count,
                "I(X;T) and I(T;Y) binning series, one per layer")

        let shot = Self.artifacts.appendingPathComponent("dashboard.png")
        try? FileManager.default.removeItem(at: shot)
        let screenshot = try Self.runChromium(["--screenshot=\(shot.path)", "--window-size=1400,1500", "--hide-scrollbars", url], profile: profile)
        #expect(screenshot.status == 0, "chromium: \(screenshot.stderr.suffix(2000))")
        let size = (try? FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int) ?? 0
        #expect(size > 10_000, "screenshot at \(shot.path) is \(size) bytes")
        #expect(try daemon.process.stop() == 0)
    }
}
