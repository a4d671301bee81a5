/// The names `/metrics` exposes (documented in Documentation/http-api.md and used by
/// Documentation/prometheus/alerts.yml and the Grafana dashboard).
public enum MetricNames {
    public static let buildInfo = "infoplane_build_info"
    public static let startTime = "infoplane_start_time_seconds"
    public static let ingestConnections = "infoplane_ingest_connections"
    public static let ingestConnectionsTotal = "infoplane_ingest_connections_total"
    public static let ingestSnapshots = "infoplane_ingest_snapshots_total"
    public static let ingestScalars = "infoplane_ingest_scalars_total"
    public static let ingestBytes = "infoplane_ingest_bytes_total"
    public static let ingestErrors = "infoplane_ingest_errors_total"
    public static let ingestErrorsByCode = "infoplane_ingest_errors_by_code_total"
    public static let framesEstimated = "infoplane_frames_estimated_total"
    public static let framesDropped = "infoplane_frames_dropped_total"
    public static let pointsWritten = "infoplane_points_written_total"
    public static let estimatesFailed = "infoplane_estimates_failed_total"
    public static let storeErrors = "infoplane_store_errors_total"
    /// 1 while the store's writes fail (disk full or otherwise), else 0.
    public static let storeWriteFailing = "infoplane_store_write_failing"
    /// Points of acknowledged frames waiting for the store to write again.
    public static let storePointsWaiting = "infoplane_store_points_waiting"
    /// Points of acknowledged frames given up, by reason (`store`).
    public static let pointsLost = "infoplane_points_lost_total"
    /// Frames assembled and not yet estimated (in memory or in the waiting-frame store).
    public static let queueDepth = "infoplane_estimation_queue_depth"
    /// Bytes of those frames in the waiting-frame store.
    public static let waitingFrameBytes = "infoplane_waiting_frame_bytes"
    /// Per run: newest received step minus newest estimated step (0 when nothing waits).
    public static let estimationLag = "infoplane_estimation_lag_steps"
    /// Per run: the thinning stride (1 while every frame is kept).
    public static let thinningStride = "infoplane_thinning_stride"
    public static let framesInAssembly = "infoplane_frames_in_assembly"
    public static let framesActive = "infoplane_frames_active"
    public static let frameLatency = "infoplane_frame_latency_seconds"
    public static let estimationSeconds = "infoplane_estimation_seconds"
    public static let estimate = "infoplane_estimate"
    public static let estimateStep = "infoplane_estimate_step"
    public static let runLastEvent = "infoplane_run_last_event_timestamp_seconds"
    public static let alerts = "infoplane_alerts_total"
    public static let sseClients = "infoplane_sse_clients"

    /// Every name above: the documented set a scrape always contains (the per-estimate
    /// gauges and the estimation histogram once a point has been estimated).
    public static let always: [String] = [
        buildInfo, startTime, ingestConnections, ingestConnectionsTotal, ingestSnapshots, ingestScalars, ingestBytes,
        ingestErrors, framesEstimated, framesDropped, pointsWritten, estimatesFailed, storeErrors, storeWriteFailing,
        storePointsWaiting, pointsLost, queueDepth, waitingFrameBytes,
        framesInAssembly, framesActive, frameLatency, alerts, sseClients,
    ]
    public static let afterFirstEstimate: [String] = [estimationSeconds, estimate, estimateStep, runLastEvent]
    /// Once a frame has been assembled.
    public static let afterFirstFrame: [String] = [estimationLag, thinningStride]

    /// Buckets of `infoplane_estimation_seconds` (seconds).
    public static let estimationBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
}
