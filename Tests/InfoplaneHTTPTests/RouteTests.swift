import Foundation
import HummingbirdTesting
@testable import InfoplaneHTTP
import InfoplaneMonitor
import Testing

/// Every JSON/CSV route against a SQLite store holding `KnownRun`.
@Suite struct RouteTests {
    @Test func runsListsTheRun() async throws {
        try await withKnownRun { client in
            let r = try await get(client, "/v1/runs")
            #expect(r.status == 200 && r.type.hasPrefix("application/json"))
            let runs = try #require(try json(r.body)["runs"] as? [[String: Any]])
            #expect(runs.count == 1)
            #expect(runs[0]["name"] as? String == KnownRun.run)
            #expect(runs[0]["client"] as? String == "known-run")
            #expect((runs[0]["metadata"] as? [String: String]) == ["task": "szt"])
            #expect((runs[0]["created_at"] as? String)?.hasSuffix("Z") == true)
        }
    }

    @Test func runDetailSummarisesSeriesScalarsAndAlerts() async throws {
        try await withKnownRun { client in
            let r = try await get(client, "/v1/runs/\(KnownRun.run)")
            #expect(r.status == 200)
            let body = try json(r.body)
            #expect(body["layers"] as? [String] == KnownRun.layers)
            #expect(body["last_step"] as? Int == Int(KnownRun.steps.last!))
            #expect(body["alerts"] as? Int == 2)
            let series = try #require(body["series"] as? [[String: Any]])
            #expect(series.count == KnownRun.layers.count * 3 + KnownRun.mixedLayers.count)
            let mixed = try #require(series.first { $0["layer"] as? String == "L2" && $0["estimator"] as? String == "mixed" })
            #expect(mixed["points"] as? Int == KnownRun.mixedSteps.count)
            #expect(mixed["first_step"] as? Int == 0 && mixed["last_step"] as? Int == 40)
            #expect(mixed["last_value"] as? Double == KnownRun.mixed(1, 40))
            let train = try #require((body["latest_scalars"] as? [String: Any])?["train"] as? [String: Any])
            #expect(train["step"] as? Int == 40)
            #expect((train["values"] as? [String: Double])?["loss"] == 1.0 / 41)
        }
    }

    @Test func seriesJSONFiltersAndGroups() async throws {
        try await withKnownRun { client in
            let r = try await get(client, "/v1/runs/\(KnownRun.run)/series?layer=L2&metric=I(X%3BT)&since_step=20")
            #expect(r.status == 200)
            let series = try #require(try json(r.body)["series"] as? [[String: Any]])
            #expect(series.count == 1)
            #expect(series[0]["estimator"] as? String == "binning" && series[0]["units"] as? String == "bits")
            let points = try #require(series[0]["points"] as? [[String: Any]])
            let expectedSteps = KnownRun.steps.filter { $0 >= 20 }
            #expect(points.map { $0["step"] as? Int } == expectedSteps.map { Int($0) })
            #expect(points.map { $0["value"] as? Double } == expectedSteps.map { KnownRun.ixt(1, $0) })
            #expect(points.first?["n"] as? Int == 4096 && points.first?["d"] as? Int == 10)

            let all = try #require(try json(try await get(client, "/v1/runs/\(KnownRun.run)/series").body)["series"] as? [[String: Any]])
            #expect(all.reduce(0) { $0 + (($1["points"] as? [Any])?.count ?? 0) } == KnownRun.pointCount)
            let mixedOnly = try #require(try json(try await get(client, "/v1/runs/\(KnownRun.run)/series?estimator=mixed&split=probe").body)["series"] as? [[String: Any]])
            #expect(mixedOnly.compactMap { $0["layer"] as? String } == KnownRun.mixedLayers)
        }
    }

    @Test func seriesCSVHasOneRowPerPoint() async throws {
        try await withKnownRun { client in
            let r = try await get(client, "/v1/runs/\(KnownRun.run)/series?format=csv&layer=L1&metric=DSE(T)")
            #expect(r.status == 200 && r.type.hasPrefix("text/csv"))
            let lines = r.body.split(separator: "\r\n").map(String.init)
            #expect(lines.first == "run,layer,split,metric,estimator,step,value,units,n,d,seconds,partial")
            #expect(lines.count == 1 + KnownRun.steps.count)
            for (line, step) in zip(lines.dropFirst(), KnownRun.steps) {
                let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                #expect(f.count == 12)
                #expect(f[0] == KnownRun.run && f[1] == "L1" && f[2] == "probe" && f[3] == "DSE(T)" && f[4] == "dse")
                #expect(Int64(f[5]) == step && Double(f[6]) == KnownRun.dse(0, step) && f[11] == "false")
            }
        }
    }

    @Test func informationPlaneHasOneTrajectoryPerLayerPerPairing() async throws {
        try await withKnownRun { client in
            let r = try await get(client, "/v1/runs/\(KnownRun.run)/infoplane")
            #expect(r.status == 200)
            let body = try json(r.body)
            #expect(body["x_metric"] as? String == "I(X;T)" && body["y_metric"] as? String == "I(T;Y)")
            let pairings = try #require(body["pairings"] as? [[String: Any]])
            #expect(pairings.map { "\($0["x_estimator"]!)/\($0["y_estimator"]!)" } == ["binning/binning", "binning/mixed"])
            let first = try #require(pairings[0]["layers"] as? [[String: Any]])
            #expect(first.map { $0["layer"] as? String } == KnownRun.layers)
            for (i, layer) in first.enumerated() {
                let points = try #require(layer["points"] as? [[String: Any]])
                #expect(points.map { $0["step"] as? Int } == KnownRun.steps.map { Int($0) })
                #expect(points.map { $0["x"] as? Double } == KnownRun.steps.map { KnownRun.ixt(i, $0) })
                #expect(points.map { $0["y"] as? Double } == KnownRun.steps.map { KnownRun.ity(i, $0) })
            }
            let second = try #require(pairings[1]["layers"] as? [[String: Any]])
            #expect(second.map { $0["layer"] as? String } == KnownRun.mixedLayers)
            #expect(second.allSatisfy { ($0["points"] as? [Any])?.count == KnownRun.mixedSteps.count })

            let filtered = try json(try await get(client, "/v1/runs/\(KnownRun.run)/infoplane?y_estimator=mixed").body)
            #expect((filtered["pairings"] as? [Any])?.count == 1)
        }
    }

    @Test func scalarsAndAlerts() async throws {
        try await withKnownRun { client in
            let scalars = try #require(try json(try await get(client, "/v1/runs/\(KnownRun.run)/scalars?since_step=20").body)["scalars"] as? [[String: Any]])
            #expect(scalars.map { $0["step"] as? Int } == [20, 30, 40])
            #expect((scalars[0]["values"] as? [String: Double])?["accuracy"] == 0.7)

            let alerts = try #require(try json(try await get(client, "/v1/alerts?run=\(KnownRun.run)").body)["alerts"] as? [[String: Any]])
            #expect(alerts.map { $0["kind"] as? String } == ["compression_onset", "overfitting"])
            #expect((alerts[0]["evidence"] as? [String: Any])?["peak_step"] as? Int == 20)
            #expect(alerts[0]["layer"] as? String == "L3" && alerts[0]["step"] as? Int == 30)
            let firstID = try #require(alerts[0]["id"] as? Int)
            let after = try json(try await get(client, "/v1/alerts?after_id=\(firstID)").body)["alerts"] as? [[String: Any]]
            #expect(after?.map { $0["kind"] as? String } == ["overfitting"])
            let since = try json(try await get(client, "/v1/alerts?since=2026-11-25T09:47:00Z").body)["alerts"] as? [[String: Any]]
            #expect(since?.map { $0["kind"] as? String } == ["overfitting"], "1795600000 is 09:46:40Z, 1795600100 09:48:20Z")
            let byKind = try json(try await get(client, "/v1/alerts?kind=compression_onset").body)["alerts"] as? [[String: Any]]
            #expect(byKind?.count == 1)
        }
    }

    @Test func unknownRunIs404WithAMessage() async throws {
        try await withKnownRun { client in
            for path in ["/v1/runs/nope", "/v1/runs/nope/series", "/v1/runs/nope/series?format=csv", "/v1/runs/nope/infoplane",
                         "/v1/runs/nope/scalars", "/v1/alerts?run=nope"] {
                let r = try await get(client, path)
                #expect(r.status == 404, "\(path)")
                let error = try #require(try json(r.body)["error"] as? [String: Any], "\(path): \(r.body)")
                #expect((error["message"] as? String)?.contains("nope") == true)
                #expect(error["status"] as? Int == 404)
            }
            let r = try await get(client, "/v1/no-such-route")
            #expect(try r.status == 404 && (try json(r.body)["error"] as? [String: Any]) != nil)
        }
    }

    @Test func badQueriesAre400WithAMessage() async throws {
        try await withKnownRun { client in
            let cases: [(String, String)] = [
                ("/v1/runs/\(KnownRun.run)/series?format=xml", "format"),
                ("/v1/runs/\(KnownRun.run)/series?split=test", "split"),
                ("/v1/runs/\(KnownRun.run)/series?since_step=ten", "since_step"),
                ("/v1/runs/\(KnownRun.run)/series?layr=L1", "layr"),
                ("/v1/alerts?since=yesterday", "since"),
                ("/v1/alerts?kind=explosion", "kind"),
                ("/v1/events?last_event_id=garbage", "Last-Event-ID"),
            ]
            for (path, word) in cases {
                let r = try await get(client, path)
                #expect(r.status == 400, "\(path): \(r.status)")
                let message = (try json(r.body)["error"] as? [String: Any])?["message"] as? String
                #expect(message?.contains(word) == true, "\(path): \(r.body)")
            }
        }
    }

    @Test func healthzReportsStatus() async throws {
        let known = try await KnownRun()
        var counters = PipelineCounters()
        counters.framesEstimated = 7
        counters.queueDepth = 2
        let status = DaemonStatusSnapshot(version: "9.9", startedAt: Date().addingTimeInterval(-5), ingestListeners: ["unix:/x"],
                                          ingest: .init(openConnections: 1, snapshotsAccepted: 42), pipeline: counters)
        try await withRouter(store: known.store, status: status) { client, _ in
            let r = try await get(client, "/healthz")
            #expect(r.status == 200)
            let body = try json(r.body)
            #expect(body["status"] as? String == "ok" && body["version"] as? String == "9.9" && body["runs"] as? Int == 1)
            #expect((body["uptime_seconds"] as? Double ?? 0) >= 5)
            #expect((body["ingest"] as? [String: Any])?["snapshots_accepted"] as? Int == 42)
            #expect((body["pipeline"] as? [String: Any])?["frames_estimated"] as? Int == 7)
            #expect((body["pipeline"] as? [String: Any])?["queue_depth"] as? Int == 2)
        }
    }

    @Test func dashboardIsServedFromTheBinary() async throws {
        try await withKnownRun { client in
            let page = try await get(client, "/")
            #expect(page.status == 200 && page.type.hasPrefix("text/html"))
            #expect(page.body.contains("/dashboard.js") && page.body.contains("infoplane-chart"))
            #expect(!page.body.contains("http://") && !page.body.contains("https://"), "no external resources")
            let script = try await get(client, "/dashboard.js")
            #expect(script.status == 200 && script.type.hasPrefix("text/javascript"))
            #expect(script.body.contains("EventSource") && !script.body.contains("https://"))
            #expect(try await get(client, "/dashboard.css").status == 200)
        }
    }
}
