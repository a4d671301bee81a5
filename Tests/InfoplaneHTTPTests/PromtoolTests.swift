import Foundation
import InfoplaneTestSupport
import InfoplaneHTTP
import Testing

/// The shipped Prometheus rules pass `promtool check rules` and only use metric names
/// that `/metrics` documents.
@Suite struct PromtoolTests {
    static let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let rules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Documentation/prometheus/alerts.yml")

    @Test(.enabled(if: promtool != nil, "promtool is not installed (Debian package prometheus; `make deps`)"))
    func shippedRulesPassPromtool() throws {
        let result = try ProgramRun.run(Self.promtool!, ["check", "rules", Self.rules.path])
        let output = result.combined
        #expect(result.status == 0, "\(output)")
        #expect(output.contains("SUCCESS"), "\(output)")
    }

    @Test func rulesAndDashboardUseDocumentedMetrics() throws {
        let known = Set(MetricNames.always + MetricNames.afterFirstEstimate)
        let dashboard = Self.rules.deletingLastPathComponent().appendingPathComponent("grafana-dashboard.json")
        for file in [Self.rules, dashboard] {
            let text = try String(contentsOf: file, encoding: .utf8)
            let used = Set(text.matches(of: /infoplane_[a-z_]+/).map { String($0.output) }
                .map { $0.replacingOccurrences(of: "_bucket", with: "") })
            #expect(!used.isEmpty)
            #expect(used.subtracting(known).isEmpty, "\(file.lastPathComponent) uses undocumented metrics: \(used.subtracting(known).sorted())")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dashboard)) as? [String: Any]
        #expect((json?["panels"] as? [Any])?.isEmpty == false)
    }
}
