import Foundation
import InfoplaneMonitor

/// What `GET /healthz` and `/metrics` report about the daemon: version, uptime, ingest
/// figures and the pipeline's counters. The daemon hands the HTTP service a closure that
/// builds one on demand.
public struct DaemonStatusSnapshot: Sendable {
    public var version: String
    public var startedAt: Date
    /// Addresses the ingest server listens on (Unix socket path, TCP host:port).
    public var ingestListeners: [String]
    /// The ingest server's figures, cumulative since start.
    public var ingest: IngestFigures
    /// Nil when the daemon runs without the monitoring pipeline (counting sink).
    public var pipeline: PipelineCounters?

    public init(version: String, startedAt: Date, ingestListeners: [String] = [],
                ingest: IngestFigures = IngestFigures(), pipeline: PipelineCounters? = nil) {
        self.version = version
        self.startedAt = startedAt
        self.ingestListeners = ingestListeners
        self.ingest = ingest
        self.pipeline = pipeline
    }
}
