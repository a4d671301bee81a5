import Foundation
import InfoplaneMonitor

/// The JSON payloads of the live stream's events (see Documentation/http-api.md).
enum EventPayloads {
    struct PointJSON: Encodable {
        var layer: String
        var metric: String
        var estimator: String
        var split: String
        var step: Int64
        var value: Double
        var units: String
        var n: Int
        var d: Int
        var seconds: Double
        var partial: Bool

        init(_ p: SeriesPoint) {
            layer = p.layer; metric = p.metric.rawValue; estimator = p.estimator.rawValue; split = p.split.rawValue
            step = p.step; value = p.value; units = p.unit.rawValue; n = p.sampleCount; d = p.dimension; seconds = p.seconds
            partial = p.isPartial
        }
    }

    struct Points: Encodable {
        var run: String
        var step: Int64
        var split: String
        var points: [PointJSON]
    }

    struct Scalars: Encodable {
        var run: String
        var step: Int64
        var epoch: Int64
        var split: String
        var values: [String: Double]
    }

    struct FrameDropped: Encodable {
        var run: String
        var step: Int64
        var split: String
        var reason: String
    }

    /// The SSE event name and JSON of a monitor event; nil for an empty points batch.
    static func encode(_ event: MonitorEvent) -> (name: String, data: String, alertID: Int64?)? {
        switch event {
        case .points(let points):
            guard let first = points.first else { return nil }
            return ("points", json(Points(run: first.run, step: first.step, split: first.split.rawValue, points: points.map(PointJSON.init))), nil)
        case .scalars(let s):
            return ("scalars", json(Scalars(run: s.run, step: s.step, epoch: s.epoch, split: s.split.rawValue, values: s.values)), nil)
        case .alert(let a):
            return ("alert", json(AlertJSON(a)), a.id)
        case let .frameDropped(key, reason):
            return ("frame_dropped", json(FrameDropped(run: key.run, step: key.step, split: key.split.rawValue, reason: reason.rawValue)), nil)
        }
    }

    static func json<T: Encodable>(_ value: T) -> String {
        guard let data = try? JSONResponse.data(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
