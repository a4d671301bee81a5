import Foundation
import InfoplaneMonitor
import Prometheus
import Synchronization

/// The daemon's Prometheus metrics, on one `PrometheusCollectorRegistry`.
///
/// Two sources feed it:
/// - the monitor's events (`observe(_:)`): the estimation-time histogram, the latest
///   estimate per (run, layer, metric, estimator, split), alerts by kind;
/// - the daemon's counters, read at each scrape (`refresh(from:)`): ingest, drops, queue.
///   Cumulative figures become Prometheus counters by adding what grew since the last scrape.
///
/// The same registry can back swift-metrics (`PrometheusMetricsFactory(registry:)`), so
/// Hummingbird's request metrics appear beside these when the daemon bootstraps it.
public final class InfoplaneMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    private struct Cumulative {
        var values: [String: Int] = [:]
    }
    private let cumulative = Mutex(Cumulative())

    private let ingestConnections: Gauge
    private let queueDepth: Gauge
    private let waitingFrameBytes: Gauge
    private let framesInAssembly: Gauge
    private let framesActive: Gauge
    private let frameLatency: Gauge
    private let sseClients: Gauge
    private let storeWriteFailing: Gauge
    private let storePointsWaiting: Gauge
    private let pointsLostStore: Counter
    private let counters: [String: Counter]
    private let dropped: [FrameDropReason: Counter]
    private let alertCounters: [AlertKind: Counter]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), version: String, startedAt: Date) {
        self.registry = registry
        let d = Self.descriptor
        registry.makeGauge(descriptor: d(MetricNames.buildInfo, "Always 1; the version label says which infoplaned runs."),
                           labels: [("version", version)]).set(1.0)
        registry.makeGauge(descriptor: d(MetricNames.startTime, "Start time of the daemon, Unix seconds."))
            .set(startedAt.timeIntervalSince1970)
        ingestConnections = registry.makeGauge(descriptor: d(MetricNames.ingestConnections, "Open ingest sessions."))
        queueDepth = registry.makeGauge(descriptor: d(MetricNames.queueDepth, "Frames assembled and waiting for estimation, in memory or in the waiting-frame store."))
        waitingFrameBytes = registry.makeGauge(descriptor: d(MetricNames.waitingFrameBytes, "Bytes of the frames waiting for estimation, in the waiting-frame store."))
        framesInAssembly = registry.makeGauge(descriptor: d(MetricNames.framesInAssembly, "Probe frames waiting for their chunks."))
        framesActive = registry.makeGauge(descriptor: d(MetricNames.framesActive, "Frames being estimated or stored."))
        frameLatency = registry.makeGauge(descriptor: d(MetricNames.frameLatency, "Seconds from queuing to storing of the last estimated frame."))
        sseClients = registry.makeGauge(descriptor: d(MetricNames.sseClients, "Clients of the live event stream (/v1/events)."))
        storeWriteFailing = registry.makeGauge(descriptor: d(MetricNames.storeWriteFailing, "1 while the store's writes fail (disk full or otherwise; /healthz is degraded), else 0."))
        storePointsWaiting = registry.makeGauge(descriptor: d(MetricNames.storePointsWaiting, "Points of acknowledged frames waiting for the store to write again."))
        pointsLostStore = registry.makeCounter(descriptor: d(MetricNames.pointsLost, "Points of acknowledged frames given up, by reason (store: the store could not write them and the retry queue was full, or the daemon stopped)."),
                                               labels: [("reason", "store")])
        let counterHelp: [(String, String)] = [
            (MetricNames.ingestConnectionsTotal, "Ingest sessions accepted."),
            (MetricNames.ingestSnapshots, "Snapshot messages (chunks) accepted."),
            (MetricNames.ingestScalars, "Scalars messages accepted."),
            (MetricNames.ingestBytes, "Payload bytes of accepted snapshot messages."),
            (MetricNames.ingestErrors, "Protocol Error messages sent to clients, any code."),
            (MetricNames.framesEstimated, "Probe frames estimated and stored."),
            (MetricNames.pointsWritten, "Series points written to the store."),
            (MetricNames.estimatesFailed, "Estimates that failed (too few samples, degenerate data)."),
            (MetricNames.storeErrors, "Failed store writes."),
        ]
        var counters: [String: Counter] = [:]
        for (name, help) in counterHelp { counters[name] = registry.makeCounter(descriptor: d(name, help)) }
        self.counters = counters
        let droppedName = d(MetricNames.framesDropped, "Probe frames dropped without estimation, by reason.")
        dropped = Dictionary(uniqueKeysWithValues: FrameDropReason.allCases.map {
            ($0, registry.makeCounter(descriptor: droppedName, labels: [("reason", $0.rawValue)]))
        })
        let alertName = d(MetricNames.alerts, "Alerts raised, by kind.")
        alertCounters = Dictionary(uniqueKeysWithValues: AlertKind.allCases.map {
            ($0, registry.makeCounter(descriptor: alertName, labels: [("kind", $0.rawValue)]))
        })
    }

    // MARK: - Events

    /// Records what a monitor event says (estimation times, latest estimates, alerts).
    public func observe(_ event: MonitorEvent) {
        switch event {
        case .points(let points):
            for p in points {
                histogram(estimator: p.estimator.rawValue).record(p.seconds)
                let series = p.series
                let labels = [("run", series.run), ("layer", series.layer), ("metric", series.metric.rawValue),
                              ("estimator", series.estimator.rawValue), ("split", series.split.rawValue)]
                registry.makeGauge(descriptor: Self.estimateDescriptor, labels: labels).set(p.value)
                registry.makeGauge(descriptor: Self.estimateStepDescriptor, labels: labels).set(Double(p.step))
            }
            if let run = points.first?.run { touch(run: run) }
        case .scalars(let s):
            touch(run: s.run)
        case .alert(let a):
            alertCounters[a.kind]?.increment()
        case .frameDropped:
            // Counted from the pipeline's counters at scrape time (every reason, also
            // drops that happen without an event).
            break
        }
    }

    private func touch(run: String) {
        registry.makeGauge(descriptor: Self.runLastEventDescriptor, labels: [("run", run)]).set(Date().timeIntervalSince1970)
    }

    private func histogram(estimator: String) -> ValueHistogram {
        registry.makeValueHistogram(descriptor: Self.estimationDescriptor, labels: [("estimator", estimator)],
                                    buckets: MetricNames.estimationBuckets)
    }

    /// Descriptors of the labelled series, made as their labels first appear (computed:
    /// `MetricNameDescriptor` is not `Sendable`).
    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
    static var errorsByCodeDescriptor: MetricNameDescriptor { descriptor(MetricNames.ingestErrorsByCode,
        "Protocol Error messages sent to clients, by code (MEMORY_BUDGET_EXCEEDED, TOO_MANY_CONNECTIONS, ...: each budget has its own).") }
    static var estimateDescriptor: MetricNameDescriptor { descriptor(MetricNames.estimate,
        "Latest estimate per run, layer, metric (I(X;T), I(T;Y), DSE(T), ...), estimator and split, in the series' units.") }
    static var estimateStepDescriptor: MetricNameDescriptor { descriptor(MetricNames.estimateStep,
        "Training step of the latest estimate (same labels as infoplane_estimate).") }
    static var runLastEventDescriptor: MetricNameDescriptor { descriptor(MetricNames.runLastEvent, "Unix time of the run's last estimated frame or scalars.") }
    static var lagDescriptor: MetricNameDescriptor { descriptor(MetricNames.estimationLag,
        "Newest received step minus newest estimated step, per run (0 when no frame waits).") }
    static var strideDescriptor: MetricNameDescriptor { descriptor(MetricNames.thinningStride,
        "Thinning stride per run: 1 while every frame is kept, 2, 4, ... while the run's waiting frames are over budget and only steps that are multiples of it are kept.") }
    static var estimationDescriptor: MetricNameDescriptor { descriptor(MetricNames.estimationSeconds, "Seconds one estimator took on one layer of one frame.") }

    // MARK: - Scrape-time figures

    /// Brings the counters and gauges up to date with the daemon's figures.
    public func refresh(from status: DaemonStatusSnapshot, sseClients clients: Int) {
        let ingest = status.ingest
        ingestConnections.set(Double(ingest.openConnections))
        sseClients.set(Double(clients))
        var totals: [String: Int] = [
            MetricNames.ingestConnectionsTotal: ingest.totalConnections,
            MetricNames.ingestSnapshots: ingest.snapshotsAccepted,
            MetricNames.ingestScalars: ingest.scalarsAccepted,
            MetricNames.ingestBytes: ingest.bytesAccepted,
            MetricNames.ingestErrors: ingest.errorsSent,
        ]
        var drops: [FrameDropReason: Int] = [:]
        if let p = status.pipeline {
            totals[MetricNames.framesEstimated] = p.framesEstimated
            totals[MetricNames.pointsWritten] = p.pointsWritten
            totals[MetricNames.estimatesFailed] = p.estimatesFailed
            totals[MetricNames.storeErrors] = p.storeErrors
            totals[MetricNames.pointsLost] = p.pointsLost
            storeWriteFailing.set(p.storeWriteFailure == nil ? 0.0 : 1.0)
            storePointsWaiting.set(Double(p.pointsAwaitingStore))
            drops = [.timeout: p.assembly.framesDroppedTimeout, .unusable: p.assembly.framesDroppedUnusable,
                     .assemblyLimit: p.assembly.framesDroppedAssemblyLimit, .thinned: p.framesThinned]
            queueDepth.set(Double(p.framesWaiting))
            waitingFrameBytes.set(Double(p.waitingFrameBytes))
            for (run, lag) in p.lag {
                registry.makeGauge(descriptor: Self.lagDescriptor, labels: [("run", run)]).set(Double(lag.steps))
                registry.makeGauge(descriptor: Self.strideDescriptor, labels: [("run", run)]).set(Double(lag.thinningStride))
            }
            framesInAssembly.set(Double(p.framesInAssembly))
            framesActive.set(Double(p.framesActive))
            frameLatency.set(p.lastFrameLatencySeconds)
        }
        let increments = cumulative.withLock { state -> [(String, Int)] in
            var out: [(String, Int)] = []
            func grow(_ key: String, _ value: Int) {
                let before = state.values[key] ?? 0
                if value > before { out.append((key, value - before)) }
                state.values[key] = max(before, value)
            }
            for (name, value) in totals { grow(name, value) }
            for (reason, value) in drops { grow("drop:" + reason.rawValue, value) }
            for (code, value) in ingest.errorsByCode { grow("code:" + code, value) }
            return out
        }
        for (key, delta) in increments {
            if key.hasPrefix("code:") {
                // One series per code: every budget refuses with a code of its own.
                registry.makeCounter(descriptor: Self.errorsByCodeDescriptor, labels: [("code", String(key.dropFirst(5)))])
                    .increment(by: Int64(delta))
            } else if key.hasPrefix("drop:"), let reason = FrameDropReason(rawValue: String(key.dropFirst(5))) {
                dropped[reason]?.increment(by: Int64(delta))
            } else if key == MetricNames.pointsLost {
                pointsLostStore.increment(by: Int64(delta))
            } else {
                counters[key]?.increment(by: Int64(delta))
            }
        }
    }

    /// The Prometheus text exposition (format 0.0.4).
    public func exposition() -> String {
        registry.emitToString()
    }
}
