import ArgumentParser
import Foundation
import InfoplaneAPI

/// `infoplane series RUN`: a run's stored estimates.
struct SeriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "series", abstract: "Print a run's series (GET /v1/runs/RUN/series).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    @OptionGroup var endpoint: EndpointOptions
    @Argument(help: "The run's name.") var run: String
    @Option(help: "Only this layer.") var layer: String?
    @Option(help: "Only this metric: I(X;T), I(T;Y), DSE(T), ...") var metric: String?
    @Option(help: "Only this estimator: binning, ksg1, mixed, dse, dsmi, ...") var estimator: String?
    @Option(help: "Only this split: train, validation, probe.") var split: String?
    @Option(help: "Only steps at or after this one.") var sinceStep: Int64?
    @Option(help: "table, csv or json.") var format: Format = .table

    func run() async throws {
        try await reportingDaemonErrors {
            let client = endpoint.client
            var query: [(String, String?)] = [("layer", layer), ("metric", metric), ("estimator", estimator), ("split", split),
                                              ("since_step", sinceStep.map(String.init))]
            let path = DaemonAPIClient.runPath(run) + "/series"
            switch format {
            case .csv, .json:
                query.append(("format", format.rawValue))
                FileHandle.standardOutput.write(try await client.get(path, query: query))
                if format == .json { print() }
            case .table:
                let list = try await client.get(APISeriesList.self, path, query: query)
                let rows = list.series.flatMap { s in
                    let series = s.series
                    return s.points.map { p in
                        [series.layer, series.split, series.metric, series.estimator, String(p.step), String(format: "%.6g", p.value),
                         series.units, String(p.n), String(p.d)]
                    }
                }
                if rows.isEmpty { print("no points match"); return }
                print(TextTable.render(header: ["LAYER", "SPLIT", "METRIC", "ESTIMATOR", "STEP", "VALUE", "UNITS", "N", "D"], rows: rows))
            }
        }
    }
}
