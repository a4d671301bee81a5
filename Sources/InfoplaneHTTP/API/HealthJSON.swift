import Foundation
import InfoplaneMonitor

/// `GET /healthz`: liveness plus the figures `infoplane status` prints.
struct HealthJSON: Encodable, Sendable {
    struct Ingest: Encodable, Sendable {
        var listeners: [String]
        var openConnections: Int
        var totalConnections: Int
        var snapshotsAccepted: Int
        var scalarsAccepted: Int
        var bytesAccepted: Int
        var errorsSent: Int

        enum CodingKeys: String, CodingKey {
            case listeners
            case openConnections = "open_connections"
            case totalConnections = "total_connections"
            case snapshotsAccepted = "snapshots_accepted"
            case scalarsAccepted = "scalars_accepted"
            case bytesAccepted = "bytes_accepted"
            case errorsSent = "errors_sent"
        }
    }

    struct Pipeline: Encodable, Sendable {
        var runs: Int
        var workers: Int
        var framesEstimated: Int
        var framesPartial: Int
        var framesDropped: Int
        var queueDepth: Int
        var framesInAssembly: Int
        var framesActive: Int
        var pointsWritten: Int
        var estimatesFailed: Int
        var alertsRaised: Int
        var storeErrors: Int
        var pointsLost: Int
        var framesAwaitingStore: Int
        var pointsAwaitingStore: Int
        var lastFrameLatencySeconds: Double

        init(_ c: PipelineCounters) {
            runs = c.runs; workers = c.workers; framesEstimated = c.framesEstimated; framesPartial = c.framesEstimatedPartial
            framesDropped = c.framesDropped; queueDepth = c.queueDepth; framesInAssembly = c.framesInAssembly
            framesActive = c.framesActive; pointsWritten = c.pointsWritten; estimatesFailed = c.estimatesFailed
            alertsRaised = c.alertsRaised; storeErrors = c.storeErrors; lastFrameLatencySeconds = c.lastFrameLatencySeconds
            pointsLost = c.pointsLost; framesAwaitingStore = c.framesAwaitingStore; pointsAwaitingStore = c.pointsAwaitingStore
        }

        enum CodingKeys: String, CodingKey {
            case runs, workers
            case framesEstimated = "frames_estimated"
            case framesPartial = "frames_partial"
            case framesDropped = "frames_dropped"
            case queueDepth = "queue_depth"
            case framesInAssembly = "frames_in_assembly"
            case framesActive = "frames_active"
            case pointsWritten = "points_written"
            case estimatesFailed = "estimates_failed"
            case alertsRaised = "alerts_raised"
            case storeErrors = "store_errors"
            case pointsLost = "points_lost"
            case framesAwaitingStore = "frames_awaiting_store"
            case pointsAwaitingStore = "points_awaiting_store"
            case lastFrameLatencySeconds = "last_frame_latency_seconds"
        }
    }

    /// "ok", or "degraded" when the store cannot be read or its writes fail (then
    /// `store_error` says why; for failing writes `store_error_since` says since when).
    var status: String
    var version: String
    var startedAt: Date
    var uptimeSeconds: Double
    var ingest: Ingest
    /// Null when the daemon runs the counting sink instead of the monitor.
    var pipeline: Pipeline?
    var runs: Int?
    var storeError: String?
    var storeErrorSince: Date?
    var sseClients: Int

    init(_ s: DaemonStatusSnapshot, runs: Int?, storeError: String?, sseClients: Int, now: Date = Date()) {
        let writeFailure = s.pipeline?.storeWriteFailure
        status = storeError == nil && writeFailure == nil ? "ok" : "degraded"
        version = s.version
        startedAt = s.startedAt
        uptimeSeconds = max(0, now.timeIntervalSince(s.startedAt))
        ingest = Ingest(listeners: s.ingestListeners, openConnections: s.ingest.openConnections,
                        totalConnections: s.ingest.totalConnections, snapshotsAccepted: s.ingest.snapshotsAccepted,
                        scalarsAccepted: s.ingest.scalarsAccepted, bytesAccepted: s.ingest.bytesAccepted,
                        errorsSent: s.ingest.errorsSent)
        pipeline = s.pipeline.map(Pipeline.init)
        self.runs = runs
        self.storeError = storeError ?? writeFailure?.message
        self.storeErrorSince = storeError == nil ? writeFailure?.since : nil
        self.sseClients = sseClients
    }

    enum CodingKeys: String, CodingKey {
        case status, version, ingest, pipeline, runs
        case startedAt = "started_at"
        case uptimeSeconds = "uptime_seconds"
        case storeError = "store_error"
        case storeErrorSince = "store_error_since"
        case sseClients = "sse_clients"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(version, forKey: .version)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
        try c.encode(ingest, forKey: .ingest)
        try c.encode(pipeline, forKey: .pipeline)  // null, not absent
        try c.encode(runs, forKey: .runs)
        try c.encodeIfPresent(storeError, forKey: .storeError)
        try c.encodeIfPresent(storeErrorSince, forKey: .storeErrorSince)
        try c.encode(sseClients, forKey: .sseClients)
    }
}
