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
                run: run.name, layer: query.string("layer"), metric: query.string("metric"),
                estimator: query.string("estimator"), split: try query.split(), sinceStep: try query.int64("since_step")))
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
            for metric in [SeriesMetric.inputInformation, SeriesMetric.labelInformation] {
                points += try await store.series(SeriesQuery(run: run.name, metric: metric, split: split, sinceStep: since))
            }
            return try JSONResponse.make(InformationPlane(run: run.name, points: points, xEstimator: query.string("x_estimator"),
                                                          yEstimator: query.string("y_estimator")))
        }
    }

    /// The run, its series' extents, latest scalars and alert count: summed up by the store.
    func runDetail(_ run: RunRecord) async throws -> RunDetailJSON {
        let summary = try await store.runSummary(run: run.name)
        var layers: [String] = []
        for series in summary.series where !layers.contains(series.layer) { layers.append(series.layer) }
        let series = summary.series.map { s in
            RunDetailJSON.SeriesSummary(layer: s.layer, metric: s.metric, estimator: s.estimator, split: s.split.rawValue,
                                        units: s.units, points: s.pointCount, firstStep: s.firstStep, lastStep: s.lastStep,
                                        lastValue: s.lastValue)
        }
        var latest: [String: ScalarsJSON] = [:]
        for record in summary.latestScalars { latest[record.split.rawValue] = ScalarsJSON(record) }
        return RunDetailJSON(run: RunJSON(run), layers: layers, series: series, lastStep: summary.lastStep,
                             latestScalars: latest, alerts: summary.alertCount)
    }
}
