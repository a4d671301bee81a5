import Foundation

/// The API's JSON as the CLI reads it (Documentation/http-api.md).
enum DaemonAPI {
    struct Runs: Decodable { var runs: [Run] }
    struct Run: Decodable {
        var name: String
        var id: String
        var client: String
        var created_at: String
        var last_seen_at: String
    }

    struct SeriesList: Decodable { var run: String; var series: [Series] }
    struct Series: Decodable {
        var layer: String
        var metric: String
        var estimator: String
        var split: String
        var units: String
        var points: [Point]
    }
    struct Point: Decodable {
        var step: Int64
        var value: Double
        var n: Int
        var d: Int
        var seconds: Double
        var partial: Bool
    }

    struct Alerts: Decodable { var alerts: [Alert] }
    struct Alert: Decodable {
        var id: Int64
        var run: String
        var layer: String
        var kind: String
        var severity: String
        var step: Int64
        var message: String
        var time: String

        /// One line: time, severity, kind, run/layer, step, message.
        var line: String {
            "\(time)  \(severity.padding(toLength: 8, withPad: " ", startingAt: 0)) \(kind)  \(run)\(layer.isEmpty ? "" : "/" + layer)  step \(step): \(message)"
        }
    }

    struct Plane: Decodable {
        var run: String
        var x_metric: String
        var y_metric: String
        var pairings: [Pairing]
    }
    struct Pairing: Decodable {
        var split: String
        var x_estimator: String
        var y_estimator: String
        var x_units: String
        var y_units: String
        var layers: [Trajectory]
    }
    struct Trajectory: Decodable { var layer: String; var points: [PlanePoint] }
    struct PlanePoint: Decodable { var step: Int64; var x: Double; var y: Double }

    struct Health: Decodable {
        struct Ingest: Decodable {
            var listeners: [String]
            var open_connections: Int
            var snapshots_accepted: Int
            var bytes_accepted: Int
            var errors_sent: Int
        }
        struct Pipeline: Decodable {
            var runs: Int
            var workers: Int
            var frames_estimated: Int
            var frames_dropped: Int
            var queue_depth: Int
            var points_written: Int
            var alerts_raised: Int
            var last_frame_latency_seconds: Double
        }
        var status: String
        var version: String
        var started_at: String
        var uptime_seconds: Double
        var ingest: Ingest
        var pipeline: Pipeline?
        var runs: Int?
        var sse_clients: Int
    }
}
