/// The events of the live stream `GET /v1/events` (Server-Sent Events); each one's data is
/// one JSON object: `alert` an `APIAlert`, the others below.
public enum APIEventName: String, Codable, Sendable, CaseIterable {
    /// `APIHello`: the first event of a fresh connection.
    case hello
    /// `APIPointsEvent`: the points of one estimated frame.
    case points
    /// `APIScalarsEvent`.
    case scalars
    /// `APIAlert`.
    case alert
    /// `APIFrameDropped`.
    case frameDropped = "frame_dropped"
    /// `APIResync`: the events after the client's last id are gone.
    case resync
}

/// `hello`: this daemon instance and a cursor to resume from.
public struct APIHello: Codable, Sendable, Equatable {
    public var instance: String
    public var cursor: String

    public init(instance: String, cursor: String) { self.instance = instance; self.cursor = cursor }
}

/// `points`: the points of one frame (run, step, split), of every layer, metric and
/// estimator: each point carries its series.
public struct APIPointsEvent: Codable, Sendable, Equatable {
    public var run: String
    public var step: Int64
    public var split: String
    public var points: [APILabelledPoint]

    public init(run: String, step: Int64, split: String, points: [APILabelledPoint]) {
        self.run = run; self.step = step; self.split = split; self.points = points
    }
}

/// `scalars`: one (step, split) of a run's scalars, flat: `{"run", "step", "epoch", "split",
/// "values"}`. The run is written because the stream mixes runs.
public struct APIScalarsEvent: Codable, Sendable, Equatable {
    public var run: String
    public var scalars: APIScalars

    public init(run: String, scalars: APIScalars) { self.run = run; self.scalars = scalars }

    /// The field written next to the scalars' own.
    private enum Keys: CodingKey { case run }

    public init(from decoder: any Decoder) throws {
        run = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .run)
        scalars = try APIScalars(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(run, forKey: .run)
        try scalars.encode(to: encoder)
    }
}

/// `frame_dropped`: a frame discarded without estimation, and why (`timeout`, `unusable`,
/// `assembly_limit`, `backlog`).
public struct APIFrameDropped: Codable, Sendable, Equatable {
    public var run: String
    public var step: Int64
    public var split: String
    public var reason: String

    public init(run: String, step: Int64, split: String, reason: String) {
        self.run = run; self.step = step; self.split = split; self.reason = reason
    }
}

/// `resync`: why the client must reload, and how many stored alerts follow.
public struct APIResync: Codable, Sendable, Equatable {
    public var reason: String
    public var alerts: Int

    public init(reason: String, alerts: Int) { self.reason = reason; self.alerts = alerts }
}
