import InfoplaneAPI
import InfoplaneMonitor

// Each API model from the domain value it shows, in one initializer per domain type: a
// change to a domain type is answered here and nowhere else in the HTTP side.

extension APIRun {
    init(_ record: RunRecord) {
        self.init(name: record.name, id: record.id, client: record.clientName, metadata: record.metadata,
                  createdAt: record.createdAt, lastSeenAt: record.lastSeenAt)
    }
}

extension APISeries {
    /// The series `point` belongs to.
    init(_ point: SeriesPoint) {
        self.init(point.series, unit: point.unit)
    }

    /// `series` in `unit`.
    init(_ series: SeriesID, unit: SeriesUnit) {
        self.init(layer: series.layer, metric: series.metric.rawValue, estimator: series.estimator.rawValue,
                  split: series.split.rawValue, units: unit.rawValue)
    }

    /// The series `summary` describes.
    init(_ summary: SeriesSummary) {
        self.init(summary.series, unit: summary.unit)
    }

    /// True when `point` belongs to this series (its units may differ: they are not part of
    /// a series' identity).
    func contains(_ point: SeriesPoint) -> Bool {
        layer == point.layer && metric == point.metric.rawValue && estimator == point.estimator.rawValue
            && split == point.split.rawValue
    }
}

extension APIPoint {
    init(_ point: SeriesPoint) {
        self.init(step: point.step, value: point.value, n: point.sampleCount, d: point.dimension,
                  seconds: point.seconds, partial: point.isPartial,
                  flags: point.flags.isEmpty ? nil : point.flags.names)
    }
}

extension APILabelledPoint {
    init(_ point: SeriesPoint) {
        self.init(series: APISeries(point), point: APIPoint(point))
    }
}

extension APISeriesSummary {
    init(_ summary: SeriesSummary) {
        self.init(series: APISeries(summary), points: summary.pointCount, firstStep: summary.firstStep,
                  lastStep: summary.lastStep, lastValue: summary.lastValue)
    }
}

extension APIScalars {
    init(_ record: ScalarRecord) {
        self.init(step: record.step, epoch: record.epoch, split: record.split.rawValue, values: record.values)
    }
}

extension APIScalarsEvent {
    init(_ record: ScalarRecord) {
        self.init(run: record.run, scalars: APIScalars(record))
    }
}

extension APIAlert {
    init(_ record: AlertRecord) {
        self.init(id: record.id ?? 0, run: record.run, layer: record.layer, kind: record.kind.rawValue,
                  severity: record.severity.rawValue, step: record.step, message: record.message,
                  evidence: JSONValue(parsing: record.evidenceJSON), time: record.time)
    }
}

extension APIFrameDropped {
    init(_ frame: FrameKey, reason: FrameDropReason) {
        self.init(run: frame.run, step: frame.step, split: frame.split.rawValue, reason: reason.rawValue)
    }
}

extension APIHealth.Ingest {
    init(_ figures: IngestFigures, listeners: [String]) {
        self.init()
        self.listeners = listeners
        openConnections = figures.openConnections; totalConnections = figures.totalConnections
        snapshotsAccepted = figures.snapshotsAccepted; scalarsAccepted = figures.scalarsAccepted
        bytesAccepted = figures.bytesAccepted; errorsSent = figures.errorsSent
    }
}

extension APIHealth.Pipeline {
    init(_ c: PipelineCounters) {
        self.init()
        runs = c.runs; workers = c.workers; framesEstimated = c.framesEstimated; framesPartial = c.framesEstimatedPartial
        framesDropped = c.framesDropped; queueDepth = c.queueDepth; framesInAssembly = c.framesInAssembly
        framesActive = c.framesActive; pointsWritten = c.pointsWritten; estimatesFailed = c.estimatesFailed
        alertsRaised = c.alertsRaised; storeErrors = c.storeErrors; lastFrameLatencySeconds = c.lastFrameLatencySeconds
        pointsLost = c.pointsLost; framesAwaitingStore = c.framesAwaitingStore; pointsAwaitingStore = c.pointsAwaitingStore
        framesWaiting = c.framesWaiting; waitingFrameBytes = c.waitingFrameBytes; framesThinned = c.framesThinned
        maxLagSteps = c.maxLagSteps; lag = c.lag.mapValues(APIEstimationLag.init)
    }
}

extension APIEstimationLag {
    init(_ lag: EstimationLag) {
        self.init(newestReceivedStep: lag.newestReceivedStep, newestEstimatedStep: lag.newestEstimatedStep,
                  lagSteps: lag.steps, framesWaiting: lag.framesWaiting, bytesWaiting: lag.bytesWaiting,
                  thinningStride: lag.thinningStride)
    }
}
