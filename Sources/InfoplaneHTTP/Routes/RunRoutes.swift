import Foundation
import Hummingbird
import InfoplaneAPI
import InfoplaneMonitor

extension HTTPAPI {
    func addRunRoutes(to router: Router<APIRequestContext>) {
        router.get("/v1/runs") { request, _ in
            _ = try QueryParameters(request, allowed: [])
            return APIRunList(runs: try await store.runs().map(APIRun.init))
        }
        router.get("/v1/runs/:run") { request, context in
            _ = try QueryParameters(request, allowed: [])
            return try await runDetail(try await requireRun(context))
        }
        router.get("/v1/runs/:run/series") { request, context -> Response in
            let query = try QueryParameters(request, allowed: ["layer", "metric", "estimator", "split", "since_step", "format"])
            let format = try query.choice("format", ["json", "csv"], default: "json")
            let run = try await requireRun(context)
            let points = try await store.series(SeriesQuery(
                run: run.name, layer: query.string("layer"), metric: query.string("metric").map { Metric($0) },
                estimator: query.string("estimator").map { .init(rawValue: $0) }, split: try query.split(),
                sinceStep: try query.int64("since_step")))
            let list = APISeriesList(run: run.name, points: points)
            if format == "csv" {
                return TextResponse.make(SeriesCSV.render(list), contentType: "text/csv; charset=utf-8")
            }
            return try list.response(from: request, context: context)
        }
        router.get("/v1/runs/:run/scalars") { request, context in
            let query = try QueryParameters(request, allowed: ["split", "since_step"])
            let run = try await requireRun(context)
            let split = try query.split()
            let records = try await store.scalars(run: run.name, sinceStep: try query.int64("since_step"))
                .filter { split == nil || $0.split == split }
            return APIScalarList(run: run.name, scalars: records.map(APIScalars.init))
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
            return APIInformationPlane(run: run.name, points: points, xEstimator: query.string("x_estimator"),
                                       yEstimator: query.string("y_estimator"))
        }
    }

    /// The run, its series' extents, latest scalars and alert count: summed up by the store.
    func runDetail(_ run: RunRecord) async throws -> APIRunDetail {
        let summary = try await store.runSummary(run: run.name)
        var layers: [String] = []
        for entry in summary.series where !layers.contains(entry.series.layer) { layers.append(entry.series.layer) }
        var latest: [String: APIScalars] = [:]
        for record in summary.latestScalars { latest[record.split.rawValue] = APIScalars(record) }
        let lag = await status().pipeline?.lag[run.name]
        return APIRunDetail(run: APIRun(run), layers: layers, series: summary.series.map(APISeriesSummary.init),
                            lastStep: summary.lastStep, latestScalars: latest, alerts: summary.alertCount,
                            estimation: lag.map(APIEstimationLag.init))
    }
}
