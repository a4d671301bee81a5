import ArgumentParser
import Foundation
import InfoplaneEstimators
import InfoplaneMonitor
import Logging

/// `infoplane-bench pipeline`: the end-to-end latency of the monitoring pipeline. A probe
/// frame of 4096 samples (X: the 4096 12-bit patterns, Y: two classes, 4 layers of a
/// seeded tanh network, widths up to 1024) is fed as snapshots to an in-process
/// `MonitorPipeline` with the default configuration; the time from the frame's last
/// snapshot to all of its default points being stored is measured, with a per-estimator
/// breakdown. A second client streams snapshots of another run meanwhile (its frames
/// assembled and queued; estimated too with `--background-estimates`). Build in release.
struct BenchPipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Time a 4096-sample, 4-layer probe frame through the monitoring pipeline to its stored points.")

    @Option(help: "Samples per frame.") var samples = 4096
    @Option(help: "Widths of the watched layers (comma-separated).") var widths = "1024,256,64,16"
    @Option(help: "Measured frames after the first (the first also fits the PCA bases).") var frames = 5
    @Option(help: "Estimation workers (0 = the default: cores − 1, at least 1).") var workers = 0
    @Option(help: "Chunks per layer snapshot.") var chunks = 4
    @Option(help: "Compression dimension (default: the configuration's).") var dimension: Int?
    @Option(help: "kNN sample budget (default: the configuration's).") var knnMaxSamples: Int?
    @Option(help: "DSE/DSMI sample budget (default: the configuration's).") var kernelMaxSamples: Int?
    @Flag(help: "No second client streaming meanwhile.") var noBackground = false
    @Option(help: "Seconds between the second client's frames.") var backgroundInterval = 1.0
    @Flag(help: "The second client's frames are estimated too (default: assembled and queued only).") var backgroundEstimates = false
    @Flag(help: "Print one JSON object instead of the table.") var json = false

    func run() async throws {
        // As the daemon does: one BLAS thread per call unless OPENBLAS_NUM_THREADS says otherwise.
        let blasThreads = BLASThreads.useOnePerCallUnlessConfigured()
        if !json { print("BLAS threads per call: \(blasThreads) (OPENBLAS_NUM_THREADS to choose)") }
        let layerWidths = widths.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !layerWidths.isEmpty, layerWidths.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--widths needs positive integers, e.g. 1024,256,64,16")
        }
        let data = BenchFrameData(samples: samples, widths: layerWidths, seed: 1)
        var configuration = MonitorConfiguration()
        configuration.scheduler.workers = workers
        if let dimension { configuration.compression.dimension = dimension }
        if let knnMaxSamples { configuration.estimation.knnMaxSamples = knnMaxSamples }
        if let kernelMaxSamples { configuration.estimation.kernelMaxSamples = kernelMaxSamples }
        let bench = BenchPipeline(configuration: configuration, label: "infoplane.bench.pipeline")
        let (pipeline, events, runner) = (bench.pipeline, bench.events, bench.runner)

        _ = try await pipeline.runStarted(RunDescriptor(name: "bench", clientName: "bench"))
        _ = try await pipeline.runStarted(RunDescriptor(name: "background", clientName: "bench",
                                                        options: backgroundEstimates ? [:] : ["estimators": "none"]))
        let background = noBackground ? nil : Task.detached {
            var step: Int64 = 0
            var sent = 0
            while !Task.isCancelled {
                step += 1
                for snapshot in data.snapshots(run: "background", step: step, chunks: chunks) {
                    do { try await pipeline.accept(snapshot) } catch { return sent }
                    sent += 1
                }
                do { try await Task.sleep(for: .milliseconds(Int64(backgroundInterval * 1000))) } catch { return sent }
            }
            return sent
        }

        var iterator = events.makeAsyncIterator()
        var results: [BenchFrameResult] = []
        let clock = ContinuousClock()
        for index in 0...frames {
            let step = Int64(index + 1) * 100
            let before = await pipeline.counterSnapshot()
            let cpuBefore = ProcessCPUTime.seconds()
            var start = clock.now
            for snapshot in data.snapshots(run: "bench", step: step, chunks: chunks) {
                start = clock.now
                try await pipeline.accept(snapshot)
            }
            var points: [SeriesPoint] = []
            while let event = await iterator.next() {
                if case .points(let p) = event, p.first?.run == "bench", p.first?.step == step {
                    points = p
                    break
                }
            }
            let elapsed = start.duration(to: clock.now)
            let after = await pipeline.counterSnapshot()
            results.append(BenchFrameResult(step: step, seconds: elapsed.seconds, points: points,
                                            preparationSeconds: after.preparationSeconds - before.preparationSeconds,
                                            cpuSeconds: ProcessCPUTime.seconds() - cpuBefore))
        }
        background?.cancel()
        let backgroundChunks = await background?.value ?? 0
        await pipeline.finish()
        await runner.value
        let counters = await pipeline.counterSnapshot()
        report(results, widths: layerWidths, workers: configuration.scheduler.effectiveWorkers,
               backgroundChunks: backgroundChunks, counters: counters,
               configurationSummary: "\(configuration.compression.method.rawValue) to \(configuration.compression.dimension) dimensions; kNN on ≤ \(configuration.estimation.knnMaxSamples) samples, DSE/DSMI on ≤ \(configuration.estimation.kernelMaxSamples)")
    }
}

struct BenchFrameResult {
    var step: Int64
    var seconds: Double
    var points: [SeriesPoint]
    var preparationSeconds: Double
    /// Process CPU time (user + system, all threads) from the frame's first snapshot to its
    /// points: a load-independent measure of the work (includes the second client's ingest).
    var cpuSeconds: Double
}

/// CPU time of this process, user + system, all threads.
enum ProcessCPUTime {
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
