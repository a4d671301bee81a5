import InfoplaneMonitor

/// `GET /v1/runs/{run}/series`: the matching points grouped into series, each series
/// being one (layer, metric, estimator, split) ordered by step.
struct SeriesListJSON: Encodable, Sendable {
    struct Point: Encodable, Sendable {
        var step: Int64
        var value: Double
        var n: Int
        var d: Int
        var seconds: Double
        var partial: Bool
    }

    struct Series: Encodable, Sendable {
        var layer: String
        var metric: String
        var estimator: String
        var split: String
        var units: String
        var points: [Point]
    }

    var run: String
    var series: [Series]

    /// Groups store-ordered points (by layer, metric, estimator, split, step).
    init(run: String, points: [SeriesPoint]) {
        self.run = run
        var series: [Series] = []
        var previous: SeriesID?
        for p in points {
            let point = Point(step: p.step, value: p.value, n: p.sampleCount, d: p.dimension, seconds: p.seconds,
                              partial: p.isPartial)
            if p.series == previous {
                series[series.count - 1].points.append(point)
            } else {
                series.append(Series(layer: p.layer, metric: p.metric.rawValue, estimator: p.estimator.rawValue,
                                     split: p.split.rawValue, units: p.unit.rawValue, points: [point]))
            }
            previous = p.series
        }
        self.series = series
    }
}

/// The CSV form of the series: one row per point, RFC 4180 quoting.
enum SeriesCSV {
    static let header = ["run", "layer", "split", "metric", "estimator", "step", "value", "units", "n", "d", "seconds", "partial"]

    static func render(_ points: [SeriesPoint]) -> String {
        var out = header.joined(separator: ",") + "\r\n"
        out.reserveCapacity(points.count * 80)
        for p in points {
            let fields = [p.run, p.layer, p.split.rawValue, p.metric.rawValue, p.estimator.rawValue, String(p.step),
                          number(p.value), p.unit.rawValue, String(p.sampleCount), String(p.dimension), number(p.seconds),
                          p.isPartial ? "true" : "false"]
            out += fields.map(quote).joined(separator: ",") + "\r\n"
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
