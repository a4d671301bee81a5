import Foundation
import InfoplaneEstimators
import InfoplaneMonitor
import Logging

/// The frame `infoplane-bench pipeline` sends: X = the 4096 12-bit patterns (first
/// `samples`), Y = whether more than 6 bits are set (two classes), and the activations
/// of a seeded tanh network 12 → widths[0] → widths[1] → …, weights N(0, 1/fan_in).
struct BenchFrameData: Sendable {
    let samples: Int
    let widths: [Int]
    let inputs: [Float]
    let labels: [Int64]
    let layers: [[Float]]

    init(samples: Int, widths: [Int], seed: UInt64) {
        self.samples = samples
        self.widths = widths
        var x = [Float](repeating: 0, count: samples * 12)
        var y = [Int64](repeating: 0, count: samples)
        for i in 0..<samples {
            let pattern = i % 4096
            for bit in 0..<12 { x[i * 12 + bit] = Float((pattern >> (11 - bit)) & 1) }
            y[i] = pattern.nonzeroBitCount > 6 ? 1 : 0
        }
        inputs = x
        labels = y
        var generator = SeededGenerator(seed: seed)
        var previous = x.map(Double.init)
        var width = 12
        var layers: [[Float]] = []
        for next in widths {
            let scale = 1 / Double(width).squareRoot()
            let weights = (0..<(width * next)).map { _ in scale * generator.nextGaussian() }
            var out = [Double](repeating: 0, count: samples * next)
            for r in 0..<samples {
                for c in 0..<width {
                    let v = previous[r * width + c]
                    if v == 0 { continue }
                    for j in 0..<next { out[r * next + j] += v * weights[c * next + j] }
                }
            }
            out = out.map { tanh(3 * $0) }
            layers.append(out.map(Float.init))
            previous = out
            width = next
        }
        self.layers = layers
    }

    /// The frame's snapshots, each layer split in `chunks` chunks.
    func snapshots(run: String, step: Int64, chunks: Int) -> [ProbeSnapshot] {
        let count = 2 + widths.count
        var out: [ProbeSnapshot] = []
        func add(_ name: String, _ role: LayerRole, _ columns: Int, _ values: SnapshotValues) {
            let parts = max(1, min(chunks, samples))
            let size = (samples + parts - 1) / parts
            for part in 0..<parts {
                let rows = (part * size)..<min(samples, (part + 1) * size)
                guard !rows.isEmpty else { continue }
                let slice: SnapshotValues
                switch values {
                case .floats(let v): slice = .floats(Array(v[(rows.lowerBound * columns)..<(rows.upperBound * columns)]))
                case .float32Bytes(let v): slice = .floats(Array(v.floats[(rows.lowerBound * columns)..<(rows.upperBound * columns)]))
                case .integers(let v): slice = .integers(Array(v[(rows.lowerBound * columns)..<(rows.upperBound * columns)]))
                }
                out.append(ProbeSnapshot(run: run, step: step, epoch: step, split: .probe, layer: name, role: role,
                                         sampleIDs: rows.map(Int64.init), columns: columns, values: slice,
                                         chunkIndex: part, chunkCount: parts, frameLayerCount: count))
            }
        }
        add("x", .input, 12, .floats(inputs))
        add("y", .label, 1, .integers(labels))
        for (i, width) in widths.enumerated() { add("l\(i + 1)", .hidden, width, .floats(layers[i])) }
        return out
    }
}

/// An in-process `MonitorPipeline` over a `BenchNullStore`, already running, its events
/// subscribed before the first snapshot.
struct BenchPipeline {
    let pipeline: MonitorPipeline
    let store = BenchNullStore()
    let events: AsyncStream<MonitorEvent>
    let runner: Task<Void, Never>

    init(configuration: MonitorConfiguration, label: String) {
        var logger = Logger(label: label)
        logger.logLevel = .error
        let pipeline = MonitorPipeline(configuration: configuration, store: store, waitingFrames: InMemoryWaitingFrames(), logger: logger)
        self.pipeline = pipeline
        events = pipeline.events.subscribe(bufferSize: 4096)
        runner = Task { await pipeline.run() }
    }
}

/// A store that keeps nothing but counts (the benchmark measures the pipeline, not SQLite).
actor BenchNullStore: SeriesStore {
    private(set) var points = 0
    func upsertRun(_ run: RunDescriptor) async throws -> RunRecord {
        RunRecord(id: run.name, name: run.name, clientName: run.clientName, metadata: run.metadata, createdAt: Date(), lastSeenAt: Date())
    }
    func appendFrame(_ points: [SeriesPoint]) async throws { self.points += points.count }
    func appendScalars(_ scalars: ScalarRecord) async throws {}
    func appendAlert(_ alert: AlertRecord) async throws -> AlertRecord { alert }
    func runs() async throws -> [RunRecord] { [] }
    func run(named name: String) async throws -> RunRecord? { nil }
    func series(_ query: SeriesQuery) async throws -> [SeriesPoint] { [] }
    func scalars(run: String, sinceStep: Int64?) async throws -> [ScalarRecord] { [] }
    func alerts(run: String?, afterID: Int64?) async throws -> [AlertRecord] { [] }
}

extension BenchPipelineCommand {
    /// Prints the benchmark's figures: `results` of the frames, the layer `widths` (parsed
    /// from `--widths`), the effective `workers` and what the second client sent.
    func report(_ results: [BenchFrameResult], widths: [Int], workers: Int, backgroundChunks: Int,
                counters: PipelineCounters, configurationSummary: String) {
        guard let first = results.first else { return }
        let background = !noBackground
        let steady = Array(results.dropFirst())
        let latencies = steady.map(\.seconds).sorted()
        let cpu = (steady.isEmpty ? [first] : steady).map(\.cpuSeconds).sorted()
        let medianCPU = cpu[cpu.count / 2]
        let median = latencies.isEmpty ? first.seconds : latencies[latencies.count / 2]
        let worst = latencies.last ?? first.seconds
        // Per-estimator seconds, summed over layers, median over the steady frames.
        var perEstimator: [String: [Double]] = [:]
        for result in steady.isEmpty ? [first] : steady {
            var sums: [String: Double] = [:]
            for p in result.points where p.seconds > 0 || p.metric.rawValue.hasPrefix("I(") || p.metric.rawValue.hasPrefix("DSE") {
                guard p.metric != .explainedVariance, p.metric != .kernelSigma else { continue }
                sums["\(p.metric) \(p.estimator)", default: 0] += p.seconds
            }
            sums["(preparation: convert, project, σ)"] = result.preparationSeconds
            for (k, v) in sums { perEstimator[k, default: []].append(v) }
        }
        let breakdown = perEstimator.mapValues { $0.sorted()[$0.count / 2] }.sorted { $0.value > $1.value }
        let estimates = first.points.filter { $0.metric != .explainedVariance && $0.metric != .kernelSigma }
        if json {
            var object: [String: Any] = [
                "benchmark": "pipeline", "samples": samples, "widths": widths, "workers": workers,
                "cores": ProcessInfo.processInfo.activeProcessorCount, "background": background,
                "background_estimates": backgroundEstimates, "background_chunks": backgroundChunks,
                "first_frame_seconds": first.seconds, "median_frame_seconds": median, "max_frame_seconds": worst,
                "points_per_frame": estimates.count, "frames_dropped": counters.framesDropped,
                "median_frame_cpu_seconds": medianCPU, "load_average_1m": LoadAverage.oneMinute() ?? -1,
            ]
            object["breakdown_seconds"] = Dictionary(uniqueKeysWithValues: breakdown.map { ($0.key, $0.value) })
            printJSONLine(object)
            return
        }
        Swift.print("pipeline latency: \(samples) samples, X 12 + Y + layers \(widths.map(String.init).joined(separator: ", ")); "
                    + "\(workers) worker(s) on \(ProcessInfo.processInfo.activeProcessorCount) cores; "
                    + (background ? "second client streaming (\(backgroundChunks) chunks sent, estimated: \(backgroundEstimates))" : "no second client"))
        Swift.print("compression: \(configurationSummary)")
        Swift.print("points per frame: \(estimates.count) estimates (+ \(first.points.count - estimates.count) σ/variance records)")
        Swift.print(String(format: "first frame (fits PCA bases): %.3f s", first.seconds))
        Swift.print(String(format: "steady frames: median %.3f s, max %.3f s over %d frames", median, worst, latencies.count))
        Swift.print(String(format: "process CPU per steady frame: median %.3f s (≥ %.3f s of wall time on 2 idle cores); load average now %.1f",
                           medianCPU, medianCPU / 2, LoadAverage.oneMinute() ?? -1))
        Swift.print("breakdown (median seconds per frame, summed over layers):")
        for (name, seconds) in breakdown { Swift.print(String(format: "  %-40@ %.3f", name as NSString, seconds)) }
        Swift.print(String(format: "  %-40@ %.3f", "sum" as NSString, breakdown.reduce(0) { $0 + $1.value }))
        Swift.print("frames dropped meanwhile (all runs): \(counters.framesDropped); goal ≤ 1 s per frame: \(median <= 1 ? "met" : "NOT met")")
    }
}

/// The 1-minute load average (/proc/loadavg), to say how busy the machine was.
enum LoadAverage {
    static func oneMinute() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }
}
