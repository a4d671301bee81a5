import Foundation
import InfoplaneHTTP
import InfoplaneMonitor
import InfoplaneServer
import InfoplaneStore
import Logging

extension Daemon {
    /// The HTTP service over the daemon's store and the pipeline's events, or nil when
    /// `[http] listen` is empty / `--no-http`. With the counting sink (tests) it serves an
    /// empty in-memory store, so /healthz and /metrics still answer.
    static func makeHTTPService(_ configuration: DaemonConfiguration, store: (any SeriesStore)?, pipeline: MonitorPipeline?,
                         statistics: IngestStatistics, listeners: [String], logger: Logger) throws -> HTTPService? {
        guard let http = configuration.http else { return nil }
        let startedAt = Date()
        let version = InfoplaneServerVersion.string
        let metrics = InfoplaneMetrics(version: version, startedAt: startedAt)
        metrics.bootstrapSwiftMetrics()
        let events = pipeline?.events ?? MonitorEvents()
        return HTTPService(
            configuration: http, store: try store ?? SQLiteSeriesStore.inMemory(), events: events, metrics: metrics,
            status: { [pipeline] in
                DaemonStatusSnapshot(version: version, startedAt: startedAt, ingestListeners: listeners,
                                     ingest: statistics.values, pipeline: await pipeline?.counterSnapshot())
            },
            control: pipeline.map { pipeline in
                PipelineControl(refitCompression: { run, layer in await pipeline.refitCompression(run: run, layer: layer) })
            },
            logger: Logger(label: "infoplane.http"))
    }
}
