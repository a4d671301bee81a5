import Foundation
import InfoplaneEstimators

/// A run as the store knows it.
public struct RunRecord: Sendable, Equatable, Codable {
    /// Stable identifier; the same for every session of the same run name.
    public var id: String
    public var name: String
    public var clientName: String
    public var metadata: [String: String]
    public var createdAt: Date
    /// Time of the last snapshot, scalar or Hello received.
    public var lastSeenAt: Date

    public init(id: String, name: String, clientName: String, metadata: [String: String], createdAt: Date, lastSeenAt: Date) {
        self.id = id
        self.name = name
        self.clientName = clientName
        self.metadata = metadata
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}

/// A filter over the stored series. Nil fields match everything.
public struct SeriesQuery: Sendable, Equatable {
    public var run: String
    public var layer: String?
    public var metric: Metric?
    public var estimator: EstimatorName?
    public var split: ProbeSplit?
    public var sinceStep: Int64?

    public init(run: String, layer: String? = nil, metric: Metric? = nil, estimator: EstimatorName? = nil,
                split: ProbeSplit? = nil, sinceStep: Int64? = nil) {
        self.run = run
        self.layer = layer
        self.metric = metric
        self.estimator = estimator
        self.split = split
        self.sinceStep = sinceStep
    }
}

/// How the monitor persists what it computes. The daemon's implementation is SQLite
/// (InfoplaneStore); tests may use any other. All methods are safe to call concurrently.
public protocol SeriesStore: Sendable {
    /// Creates the run, or returns the existing one of that name (updating its last-seen time).
    func upsertRun(_ run: RunDescriptor) async throws -> RunRecord
    /// Writes every point of one probe frame in one transaction: all or none.
    func appendFrame(_ points: [SeriesPoint]) async throws
    /// The same, and removes `frame` from the store's `WaitingFrameStore` in that
    /// transaction when the store is one (the default only writes the points; the pipeline
    /// then removes the waiting frame itself).
    func appendFrame(_ points: [SeriesPoint], completing frame: FrameKey?) async throws
    func appendScalars(_ scalars: ScalarRecord) async throws
    /// Stores an alert and returns it with its identifier.
    func appendAlert(_ alert: AlertRecord) async throws -> AlertRecord

    func runs() async throws -> [RunRecord]
    func run(named name: String) async throws -> RunRecord?
    /// Points matching the query, ordered by (layer, metric, estimator, split, step).
    func series(_ query: SeriesQuery) async throws -> [SeriesPoint]
    /// Scalars of a run, ordered by step.
    func scalars(run: String, sinceStep: Int64?) async throws -> [ScalarRecord]
    /// Alerts with an id greater than `afterID`, optionally of one run, ordered by id.
    func alerts(run: String?, afterID: Int64?) async throws -> [AlertRecord]

    // Summaries: what the reads above would load, summed up by the store (defaults in
    // `SeriesStore+Summaries.swift` load and count).

    /// How many runs the store holds.
    func runCount() async throws -> Int
    /// How many alerts one run (or every run, for nil) raised.
    func alertCount(run: String?) async throws -> Int
    /// The largest alert id; nil when no alert is stored.
    func newestAlertID() async throws -> Int64?
    /// The run's series extents, newest scalars per split and alert count (empty for an
    /// unknown run).
    func runSummary(run: String) async throws -> RunSummary
}

extension SeriesStore {
    public func appendFrame(_ points: [SeriesPoint], completing frame: FrameKey?) async throws {
        guard !points.isEmpty else { return }
        try await appendFrame(points)
    }
}
