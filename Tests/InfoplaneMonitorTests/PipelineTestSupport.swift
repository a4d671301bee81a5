import Foundation
import Synchronization
import InfoplaneEstimators
@testable import InfoplaneMonitor

/// An in-memory `SeriesStore` for the pipeline's unit tests (the SQLite store has its own).
actor InMemorySeriesStore: SeriesStore {
    private(set) var frames: [[SeriesPoint]] = []
    private(set) var storedScalars: [ScalarRecord] = []
    private(set) var storedAlerts: [AlertRecord] = []
    private var runRecords: [String: RunRecord] = [:]

    var allPoints: [SeriesPoint] { frames.flatMap { $0 } }

    func upsertRun(_ run: RunDescriptor) async throws -> RunRecord {
        if let existing = runRecords[run.name] { return existing }
        let record = RunRecord(id: "id-\(run.name)", name: run.name, clientName: run.clientName, metadata: run.metadata,
                               createdAt: Date(timeIntervalSince1970: 0), lastSeenAt: Date(timeIntervalSince1970: 0))
        runRecords[run.name] = record
        return record
    }
    func appendFrame(_ points: [SeriesPoint]) async throws { frames.append(points) }
    func appendScalars(_ scalars: ScalarRecord) async throws { storedScalars.append(scalars) }
    func appendAlert(_ alert: AlertRecord) async throws -> AlertRecord {
        var a = alert
        a.id = Int64(storedAlerts.count + 1)
        storedAlerts.append(a)
        return a
    }
    func runs() async throws -> [RunRecord] { Array(runRecords.values) }
    func run(named name: String) async throws -> RunRecord? { runRecords[name] }
    func series(_ query: SeriesQuery) async throws -> [SeriesPoint] {
        allPoints.filter { $0.run == query.run && (query.layer == nil || $0.layer == query.layer) && (query.metric == nil || $0.metric == query.metric) }
    }
    func scalars(run: String, sinceStep: Int64?) async throws -> [ScalarRecord] { storedScalars.filter { $0.run == run } }
    func alerts(run: String?, afterID: Int64?) async throws -> [AlertRecord] { storedAlerts }
}

/// Estimators that record what they were given and return a value derived from it
/// (the step plus the layer's width), so tests can tell points apart.
final class RecordingEstimators: LayerEstimating {
    struct Call: Sendable {
        var estimator: PipelineEstimate
        var input: EstimationInput
    }
    private let calls = Mutex<[Call]>([])
    var recorded: [Call] { calls.withLock { $0 } }

    func estimate(_ estimator: PipelineEstimate, input: EstimationInput, configuration: EstimationConfiguration) throws -> Estimate {
        calls.withLock { $0.append(Call(estimator: estimator, input: input)) }
        return Estimate(value: Double(input.key.step) + Double(input.activations.columns) / 1000,
                        units: configuration.units, n: input.activations.rows, d: input.compressed.columns)
    }
}

/// Snapshots of a synthetic frame: X (inputs), Y (labels) and hidden layers of given widths,
/// values drawn from a seeded generator.
struct SyntheticFrame {
    var run = "r"
    var step: Int64
    var split: ProbeSplit = .train
    var rows = 64
    var inputWidth = 12
    var layerWidths = [16, 4]
    var seed: UInt64 = 1
    var scale: Float = 1

    var layerCount: Int { 2 + layerWidths.count }

    func values(width: Int, stream: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed &+ stream &* 7919 &+ UInt64(bitPattern: step))
        return (0..<(rows * width)).map { _ in scale * Float(g.nextGaussian()) }
    }

    var ids: [Int64] { (0..<Int64(rows)).map { $0 * 3 + 1 } }

    func snapshots() -> [ProbeSnapshot] {
        var out = [ProbeSnapshot(run: run, step: step, epoch: 0, split: split, layer: "x", role: .input, sampleIDs: ids,
                                 columns: inputWidth, values: .floats(values(width: inputWidth, stream: 0)),
                                 frameLayerCount: layerCount),
                   ProbeSnapshot(run: run, step: step, epoch: 0, split: split, layer: "y", role: .label, sampleIDs: ids,
                                 columns: 1, values: .integers(ids.map { $0 % 2 }), frameLayerCount: layerCount)]
        for (i, width) in layerWidths.enumerated() {
            out.append(ProbeSnapshot(run: run, step: step, epoch: 0, split: split, layer: "h\(i + 1)", role: .hidden,
                                     sampleIDs: ids, columns: width, values: .floats(values(width: width, stream: UInt64(i + 1))),
                                     frameLayerCount: layerCount))
        }
        return out
    }

    /// The layer's values as a matrix, rows in ascending id order (the ids are ascending).
    func matrix(layer index: Int) throws -> Matrix {
        let width = layerWidths[index]
        return try Matrix(rows: rows, columns: width, storage: values(width: width, stream: UInt64(index + 1)).map(Double.init))
    }
}

/// Estimators whose value is a function of (estimator, step, layer).
struct ScriptedEstimators: LayerEstimating {
    var value: @Sendable (PipelineEstimate, Int64, String) -> Double

    func estimate(_ estimator: PipelineEstimate, input: EstimationInput, configuration: EstimationConfiguration) throws -> Estimate {
        Estimate(value: value(estimator, input.key.step, input.layer), units: configuration.units,
                 n: input.activations.rows, d: input.compressed.columns)
    }
}
