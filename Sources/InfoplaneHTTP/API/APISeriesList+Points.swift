import InfoplaneAPI
import InfoplaneMonitor

extension APISeriesList {
    /// Groups store-ordered points (by layer, metric, estimator, split, step) into series.
    init(run: String, points: [SeriesPoint]) {
        var series: [APISeriesWithPoints] = []
        for p in points {
            if let last = series.last, last.series.contains(p) {
                series[series.count - 1].points.append(APIPoint(p))
            } else {
                series.append(APISeriesWithPoints(series: APISeries(p), points: [APIPoint(p)]))
            }
        }
        self.init(run: run, series: series)
    }
}

/// The CSV form of the series: one row per point, RFC 4180 quoting.
enum SeriesCSV {
    static let header = ["run", "layer", "split", "metric", "estimator", "step", "value", "units", "n", "d", "seconds", "partial"]

    static func render(_ list: APISeriesList) -> String {
        var out = header.joined(separator: ",") + "\r\n"
        out.reserveCapacity(list.series.reduce(0) { $0 + $1.points.count } * 80)
        for s in list.series {
            let series = s.series
            for p in s.points {
                let fields = [list.run, series.layer, series.split, series.metric, series.estimator, String(p.step),
                              number(p.value), series.units, String(p.n), String(p.d), number(p.seconds),
                              p.partial ? "true" : "false"]
                out += fields.map(quote).joined(separator: ",") + "\r\n"
            }
        }
        return out
    }

    /// Shortest text that reads back as the same Double.
    static func number(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return "\(x)"
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
