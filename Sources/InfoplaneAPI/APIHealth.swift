import Foundation

/// `GET /healthz`: liveness plus the figures `infoplane status` prints.
public struct APIHealth: Codable, Sendable, Equatable {
    /// `degraded` (and status code 503) when the store cannot be read or its writes fail.
    public enum Status: String, Codable, Sendable {
        case ok
        case degraded
    }

    /// The ingest server's figures, cumulative since start.
    public struct Ingest: Codable, Sendable, Equatable {
        /// Addresses the ingest server listens on (`unix:PATH`, `tcp:HOST:PORT`).
        public var listeners: [String] = []
        public var openConnections = 0, totalConnections = 0
        public var snapshotsAccepted = 0, scalarsAccepted = 0, bytesAccepted = 0
        public var errorsSent = 0

        public init() {}
    }

    /// The monitoring pipeline's counters (see `PipelineCounters` for each one's meaning).
    public struct Pipeline: Codable, Sendable, Equatable {
        public var runs = 0, workers = 0
        public var framesEstimated = 0, framesPartial = 0, framesDropped = 0
        public var queueDepth = 0, framesInAssembly = 0, framesActive = 0
        /// Frames assembled and not yet estimated (in memory or in the waiting-frame store),
        /// their bytes, frames thinned out over budget, and the largest lag of any run in steps.
        public var framesWaiting = 0, waitingFrameBytes = 0, framesThinned = 0
        public var maxLagSteps: Int64 = 0
        /// Per run with frames received since the daemon started.
        public var lag: [String: APIEstimationLag] = [:]
        public var pointsWritten = 0, estimatesFailed = 0, alertsRaised = 0
        public var storeErrors = 0, pointsLost = 0, framesAwaitingStore = 0, pointsAwaitingStore = 0
        public var lastFrameLatencySeconds = 0.0

        public init() {}
    }

    public var status: Status
    public var version: String
    public var startedAt: Date
    public var uptimeSeconds: Double
    public var ingest: Ingest
    /// Null when the daemon runs the counting sink instead of the monitor.
    public var pipeline: Pipeline?
    /// How many runs the store holds; null when it cannot be read.
    public var runs: Int?
    /// Why the status is degraded; absent when it is not.
    public var storeError: String?
    /// Since when store writes fail; absent unless they do.
    public var storeErrorSince: Date?
    /// Clients of the live event stream.
    public var sseClients: Int

    public init(status: Status, version: String, startedAt: Date, uptimeSeconds: Double, ingest: Ingest, pipeline: Pipeline?,
                runs: Int?, storeError: String?, storeErrorSince: Date?, sseClients: Int) {
        self.status = status; self.version = version; self.startedAt = startedAt; self.uptimeSeconds = uptimeSeconds
        self.ingest = ingest; self.pipeline = pipeline; self.runs = runs
        self.storeError = storeError; self.storeErrorSince = storeErrorSince; self.sseClients = sseClients
    }

    /// Writes `pipeline` and `runs` as null when missing (their absence would read as an
    /// older daemon), the store error fields only when present.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(version, forKey: .version)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
        try c.encode(ingest, forKey: .ingest)
        try c.encode(pipeline, forKey: .pipeline)
        try c.encode(runs, forKey: .runs)
        try c.encodeIfPresent(storeError, forKey: .storeError)
        try c.encodeIfPresent(storeErrorSince, forKey: .storeErrorSince)
        try c.encode(sseClients, forKey: .sseClients)
    }
}
