import ArgumentParser
import Foundation
import InfoplaneEstimators
import InfoplaneMonitor
import Logging

/// `infoplane-bench layers`: how the monitoring pipeline scales with the number of layers in
/// one probe frame. For each layer count, a fresh in-process `MonitorPipeline` (null store)
/// takes one frame of run `big` — X, Y and that many tiny hidden layers (`--samples` ×
/// `--columns`, one snapshot each unless `--chunks`) — and the figures are:
///
/// - **ingest**: seconds to accept every snapshot of the frame, one after another as a
///   session does (the last one completes the frame and queues it);
/// - **small run**: right after, a 4-layer frame of a second run `small` is sent; seconds
///   from its last snapshot to its points (is the pool fair between runs?);
/// - **estimate**: seconds from the big frame's last snapshot to its points;
/// - **shutdown** (`--shutdown`): instead of waiting, `finish()` is called right after the
///   big frame is queued; seconds until it returns.
///
/// Build in release. Ingest should grow linearly with the layer count (constant µs/layer).
struct BenchLayersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "Ingest, estimation and shutdown time of one probe frame with many tiny layers.")

    @Option(help: "Layer counts to measure (comma-separated).") var layers = "2000,5000,10000,20000"
    @Option(help: "Samples per layer.") var samples = 64
    @Option(help: "Features per hidden layer.") var columns = 4
    @Option(help: "Chunks per layer snapshot.") var chunks = 1
    @Option(help: "Estimators (comma-separated names; see [estimation] estimators).") var estimators = "binning_ixt,binning_ity"
    @Option(help: "Estimation workers (0 = the default: cores − 1, at least 1).") var workers = 0
    @Option(help: "Give up waiting for points after this many seconds.") var maxWait = 600.0
    @Flag(help: "Skip estimation: only the ingest time (estimators none).") var ingestOnly = false
    @Flag(help: "Call finish() right after the big frame is queued and time it.") var shutdown = false
    @Option(help: "Shutdown grace, seconds ([scheduler] shutdown_grace_seconds; default: the configuration's).") var grace: Double?
    @Flag(help: "Print one JSON object per layer count instead of the table.") var json = false

    func run() async throws {
        let counts = layers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--layers needs positive integers") }
        let chosen = try estimators.split(separator: ",").map { name -> PipelineEstimate in
            guard let e = PipelineEstimate(rawValue: String(name).trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("unknown estimator \(name); known: \(PipelineEstimate.allCases.map(\.rawValue).joined(separator: ","))")
            }
            return e
        }
        if !json {
            print("layers  samples×cols  ingest s   µs/layer  small-run s  estimate s  shutdown s  points")
        }
        for count in counts {
            let r = try await measure(layers: count, estimators: ingestOnly ? [] : chosen)
            if json {
                let object: [String: Any] = [
                    "benchmark": "layers", "layers": count, "samples": samples, "columns": columns, "chunks": chunks,
                    "ingest_seconds": r.ingest, "ingest_microseconds_per_layer": r.ingest / Double(count) * 1e6,
                    "small_run_seconds": r.small ?? -1, "estimate_seconds": r.estimate ?? -1,
                    "shutdown_seconds": r.shutdown ?? -1, "points": r.points,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                func f(_ v: Double?, _ width: Int) -> String {
                    let text = v.map { String(format: "%.3f", $0) } ?? "-"
                    return String(repeating: " ", count: max(0, width - text.count)) + text
                }
                let shape = "\(samples)×\(columns)"
                print(String(format: "%6d  ", count) + String(repeating: " ", count: max(0, 12 - shape.count)) + shape
                      + String(format: "  %8.3f  %9.1f  ", r.ingest, r.ingest / Double(count) * 1e6)
                      + f(r.small, 11) + "  " + f(r.estimate, 10) + "  " + f(r.shutdown, 10) + String(format: "  %6d", r.points))
            }
        }
    }

    struct Result {
        var ingest: Double
        var small: Double?
        var estimate: Double?
        var shutdown: Double?
        var points: Int
    }

    func measure(layers count: Int, estimators chosen: [PipelineEstimate]) async throws -> Result {
        var configuration = MonitorConfiguration()
        configuration.scheduler.workers = workers
        configuration.estimation.estimators = chosen
        configuration.assembly.frameTimeoutSeconds = 3600
        configuration.assembly.maxLayersPerFrame = max(configuration.assembly.maxLayersPerFrame, count + 2)
        if let grace { configuration.scheduler.shutdownGraceSeconds = grace }
        let bench = BenchPipeline(configuration: configuration, label: "infoplane.bench.layers")
        let (pipeline, store, events, runner) = (bench.pipeline, bench.store, bench.events, bench.runner)
        _ = try await pipeline.runStarted(RunDescriptor(name: "big", clientName: "bench"))
        _ = try await pipeline.runStarted(RunDescriptor(name: "small", clientName: "bench"))

        let big = Self.snapshots(run: "big", step: 1, hidden: count, samples: samples, columns: columns, chunks: chunks)
        let small = Self.snapshots(run: "small", step: 1, hidden: 4, samples: samples, columns: columns, chunks: 1)
        let clock = ContinuousClock()
        let start = clock.now
        for snapshot in big { try await pipeline.accept(snapshot) }
        let ingested = clock.now
        var result = Result(ingest: start.duration(to: ingested).seconds, points: 0)

        if shutdown {
            await pipeline.finish()
            result.shutdown = ingested.duration(to: clock.now).seconds
            await runner.value
            result.points = await store.points
            return result
        }
        if chosen.isEmpty {
            await pipeline.finish()
            await runner.value
            return result
        }
        let smallStart = clock.now
        for snapshot in small { try await pipeline.accept(snapshot) }
        let deadline = clock.now.advanced(by: .seconds(maxWait))
        let waiter = Task {
            var small: Double?, big: Double?
            for await event in events {
                guard case .points(let p) = event, let run = p.first?.run else { continue }
                if run == "small" && small == nil { small = smallStart.duration(to: clock.now).seconds }
                if run == "big" && big == nil { big = ingested.duration(to: clock.now).seconds }
                if small != nil && big != nil { break }
            }
            return (small, big)
        }
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: clock)
            if !Task.isCancelled { await pipeline.finish() }
        }
        let (smallSeconds, bigSeconds) = await waiter.value
        timer.cancel()
        result.small = smallSeconds
        result.estimate = bigSeconds
        await pipeline.finish()
        await runner.value
        result.points = await store.points
        return result
    }

    /// X (inputs, `columns` wide), Y (two classes) and `hidden` hidden layers of seeded
    /// values, each split in `chunks` chunks, all announcing the frame's layer count.
    static func snapshots(run: String, step: Int64, hidden: Int, samples: Int, columns: Int, chunks: Int) -> [ProbeSnapshot] {
        let count = hidden + 2
        let ids = (0..<Int64(samples)).map { $0 }
        var generator = SeededGenerator(seed: 7)
        var out: [ProbeSnapshot] = []
        out.reserveCapacity(count * chunks)
        func add(_ name: String, _ role: LayerRole, _ width: Int, _ values: (Range<Int>) -> SnapshotValues) {
            let parts = max(1, min(chunks, samples))
            let size = (samples + parts - 1) / parts
            for part in 0..<parts {
                let rows = (part * size)..<min(samples, (part + 1) * size)
                guard !rows.isEmpty else { continue }
                out.append(ProbeSnapshot(run: run, step: step, epoch: 0, split: .probe, layer: name, role: role,
                                         sampleIDs: Array(ids[rows]), columns: width, values: values(rows),
                                         chunkIndex: part, chunkCount: parts, frameLayerCount: count))
            }
        }
        let x = (0..<(samples * columns)).map { _ in Float(generator.nextGaussian()) }
        add("x", .input, columns, { .floats(Array(x[($0.lowerBound * columns)..<($0.upperBound * columns)])) })
        add("y", .label, 1, { .integers(Array(ids[$0]).map { $0 % 2 }) })
        for layer in 0..<hidden {
            let v = (0..<(samples * columns)).map { _ in Float(tanh(generator.nextGaussian())) }
            add("l\(layer)", .hidden, columns, { .floats(Array(v[($0.lowerBound * columns)..<($0.upperBound * columns)])) })
        }
        return out
    }
}
