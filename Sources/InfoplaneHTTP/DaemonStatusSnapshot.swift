import Foundation
import InfoplaneMonitor
import InfoplaneServer

/// What `GET /healthz` and `/metrics` report about the daemon: version, uptime, ingest
/// figures and the pipeline's counters. The daemon hands the HTTP service a closure that
/// builds one on demand.
public struct DaemonStatusSnapshot: Sendable {
    /// The ingest server's figures (`IngestStatistics.Values`), cumulative since start.
    public struct Ingest: Sendable, Equatable {
        public var openConnections: Int
        public var totalConnections: Int
        public var snapshotsAccepted: Int
        public var scalarsAccepted: Int
        public var bytesAccepted: Int
        public var errorsSent: Int
        /// Errors sent, by code (the .proto name without ERROR_CODE_).
        public var errorsByCode: [String: Int]

        public init(openConnections: Int = 0, totalConnections: Int = 0, snapshotsAccepted: Int = 0,
                    scalarsAccepted: Int = 0, bytesAccepted: Int = 0, errorsSent: Int = 0, errorsByCode: [String: Int] = [:]) {
            self.errorsByCode = errorsByCode
            self.openConnections = openConnections
            self.totalConnections = totalConnections
            self.snapshotsAccepted = snapshotsAccepted
            self.scalarsAccepted = scalarsAccepted
            self.bytesAccepted = bytesAccepted
            self.errorsSent = errorsSent
        }

        public init(_ v: IngestStatistics.Values) {
            self.init(openConnections: v.openConnections, totalConnections: v.totalConnections,
                      snapshotsAccepted: v.snapshotsAccepted, scalarsAccepted: v.scalarsAccepted,
                      bytesAccepted: v.bytesAccepted, errorsSent: v.errorsSent, errorsByCode: v.errorsByCode)
        }
    }

    public var version: String
    public var startedAt: Date
    /// Addresses the ingest server listens on (Unix socket path, TCP host:port).
    public var ingestListeners: [String]
    public var ingest: Ingest
    /// Nil when the daemon runs without the monitoring pipeline (counting sink).
    public var pipeline: PipelineCounters?

    public init(version: String, startedAt: Date, ingestListeners: [String] = [],
                ingest: Ingest = Ingest(), pipeline: PipelineCounters? = nil) {
        self.version = version
        self.startedAt = startedAt
        self.ingestListeners = ingestListeners
        self.ingest = ingest
        self.pipeline = pipeline
    }
}
