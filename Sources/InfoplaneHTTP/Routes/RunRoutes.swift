import Foundation
import Hummingbird
import InfoplaneMonitor

extension HTTPAPI {
    func addRunRoutes(to router: Router<BasicRequestContext>) {
        router.get("/v1/runs") { request, _ in
            _ = try QueryParameters(request, allowed: [])
            return try JSONResponse.make(RunListJSON(runs: try await store.runs().map(RunJSON.init)))
        }
        router.get("/v1/runs/:run") { request, context in
            _ = try QueryParameters(request, allowed: [])
            return try JSONResponse.make(try await runDetail(try await requireRun(context)))
        }
        router.get("/v1/runs/:run/series") { request, context in
            let query = try QueryParameters(request, allowed: ["layer", "metric", "estimator", "split", "since_step", "format"])
            let format = try query.choice("format", ["json", "csv"], default: "json")
            let run = try await requireRun(context)
            let points = try await store.series(SeriesQuery(
                run: run.name, layer: query.string("layer"), metric: query.string("metric").map { Metric($0) },
                estimator: query.string("estimator").map { .init(rawValue: $0) }, split: try query.split(), sinceStep: try query.int64("since_step")))
            if format == "csv" {
                return JSONResponse.text(SeriesCSV.render(points), contentType: "text/csv; charset=utf-8")
            }
            return try JSONResponse.make(SeriesListJSON(run: run.name, points: points))
        }
        router.get("/v1/runs/:run/scalars") { request, context in
            let query = try QueryParameters(request, allowed: ["split", "since_step"])
            let run = try await requireRun(context)
            let split = try query.split()
            let records = try await store.scalars(run: run.name, sinceStep: try query.int64("since_step"))
                .filter { split == nil || $0.split == split }
            return try JSONResponse.make(ScalarListJSON(run: run.name, scalars: records.map(ScalarsJSON.init)))
        }
        router.get("/v1/runs/:run/infoplane") { request, context in
            let query = try QueryParameters(request, allowed: ["split", "x_estimator", "y_estimator", "since_step"])
            let run = try await requireRun(context)
            let split = try query.split()
            let since = try query.int64("since_step")
            var points: [SeriesPoint] = []
            for metric in [Metric.inputInformation, Metric.labelInformation] {
                points += try await store.series(SeriesQuery(run: run.name, metric: metric, split: split, sinceStep: since))
            }
            return try JSONResponse.make(InformationPlane(run: run.name, points: points, xEstimator: query.string("x_estimator"),
                                                          yEstimator: query.string("y_estimator")))
        }
    }

    func runDetail(_ run: RunRecord) async throws -> RunDetailJSON {
        let points = try await store.series(SeriesQuery(run: run.name))
        var summaries: [RunDetailJSON.SeriesSummary] = []
        var layers: [String] = []
        var previous: SeriesID?
        for p in points {
            if layers.last != p.layer && !layers.contains(p.layer) { layers.append(p.layer) }
            if let last = summaries.last, p.series == previous {
                summaries[summaries.count - 1].points += 1
                summaries[summaries.count - 1].firstStep = min(last.firstStep, p.step)
                if p.step >= last.lastStep {
                    summaries[summaries.count - 1].lastStep = p.step
                    summaries[summaries.count - 1].lastValue = p.value
                }
            } else {
                summaries.append(.init(layer: p.layer, metric: p.metric.rawValue, estimator: p.estimator.rawValue,
                                       split: p.split.rawValue, units: p.unit.rawValue, points: 1, firstStep: p.step,
                                       lastStep: p.step, lastValue: p.value))
            }
            previous = p.series
        }
        let scalars = try await store.scalars(run: run.name, sinceStep: nil)
        var latest: [String: ScalarsJSON] = [:]
        for record in scalars { latest[record.split.rawValue] = ScalarsJSON(record) }  // ordered by step
        let lastStep = [summaries.map(\.lastStep).max(), scalars.last?.step].compactMap { $0 }.max()
        let alerts = try await store.alerts(run: run.name, afterID: nil).count
        return RunDetailJSON(run: RunJSON(run), layers: layers, series: summaries, lastStep: lastStep,
                             latestScalars: latest, alerts: alerts)
    }
}
