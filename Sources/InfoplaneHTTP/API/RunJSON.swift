import Foundation
import InfoplaneMonitor

/// A run in `GET /v1/runs`.
struct RunJSON: Encodable, Sendable {
    var name: String
    var id: String
    var client: String
    var metadata: [String: String]
    var createdAt: Date
    var lastSeenAt: Date

    init(_ record: RunRecord) {
        name = record.name
        id = record.id
        client = record.clientName
        metadata = record.metadata
        createdAt = record.createdAt
        lastSeenAt = record.lastSeenAt
    }

    enum CodingKeys: String, CodingKey {
        case name, id, client, metadata
        case createdAt = "created_at"
        case lastSeenAt = "last_seen_at"
    }
}

struct RunListJSON: Encodable, Sendable {
    var runs: [RunJSON]
}

/// `GET /v1/runs/{run}`: the run, what series it has, its latest scalars and alert count.
struct RunDetailJSON: Encodable, Sendable {
    /// One stored series: (layer, metric, estimator, split) with its extent.
    struct SeriesSummary: Encodable, Sendable {
        var layer: String
        var metric: String
        var estimator: String
        var split: String
        var units: String
        var points: Int
        var firstStep: Int64
        var lastStep: Int64
        var lastValue: Double

        enum CodingKeys: String, CodingKey {
            case layer, metric, estimator, split, units, points
            case firstStep = "first_step"
            case lastStep = "last_step"
            case lastValue = "last_value"
        }
    }

    var run: RunJSON
    /// Layer names in the order their series first appear (store order: by name).
    var layers: [String]
    var series: [SeriesSummary]
    /// Largest step with a stored point or scalar; nil when nothing is stored yet.
    var lastStep: Int64?
    /// The newest scalars per split, e.g. {"train": {"loss": 0.3}}.
    var latestScalars: [String: ScalarsJSON]
    var alerts: Int

    enum CodingKeys: String, CodingKey {
        case run, layers, series, alerts
        case lastStep = "last_step"
        case latestScalars = "latest_scalars"
    }
}

/// Scalars of one (step, split).
struct ScalarsJSON: Encodable, Sendable {
    var step: Int64
    var epoch: Int64
    var split: String
    var values: [String: Double]

    init(_ record: ScalarRecord) {
        step = record.step
        epoch = record.epoch
        split = record.split.rawValue
        values = record.values
    }
}

struct ScalarListJSON: Encodable, Sendable {
    var run: String
    var scalars: [ScalarsJSON]
}
