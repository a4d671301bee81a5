import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

extension MonitorEndToEndTests {
    /// A client floods frames of 2048 samples (inputs 16 wide, a layer 128 wide, labels:
    /// about 1.2 MB each) much faster than one worker estimates DSE on them.
    ///
    /// Memory bound, from the configuration: at most `assembly.max_frames_in_flight_per_run`
    /// frames being assembled, `scheduler.frames_in_memory_per_run` held for the workers
    /// (the others wait in the store's file, not in memory), `workers` being estimated, and
    /// `ingest.credits` messages (each at most one frame) in the ingest path: F frames. Each frame may exist about three times at once (wire bytes,
    /// decoded floats, the aligned frame or the doubles the estimators read). Each worker
    /// also holds DSE's kernel work: about three n × n double matrices (kernel, normalised
    /// kernel, eigen workspace), n = `kernel_max_samples`. So the cap is
    /// baseline RSS (measured after startup) + 3 · F · frame bytes + workers · 3 · n² · 8.
    /// The flood sends more than twice the part above the baseline, so a queue that kept
    /// every frame would exceed it.
    ///
    /// And every frame sent is estimated, none dropped: the waiting frames' budget
    /// (`scheduler.max_waiting_frame_bytes_per_run`, 1 GiB) holds the whole flood.
    @Test func floodStaysUnderTheMemoryCapAndEveryFrameIsEstimated() async throws {
        let assemblyFrames = 4, framesInMemory = 2, workers = 1, credits = 8, kernelSamples = 256
        let daemon = try MonitorDaemon(configuration: ScenarioConfiguration.estimation(["dse"], extra: """
            kernel_max_samples = \(kernelSamples)
            """, workers: workers, framesInMemory: framesInMemory) + """

            [ingest]
            credits = \(credits)

            [assembly]
            max_frames_in_flight_per_run = \(assemblyFrames)
            """)
        let run = "flood"
        let rows = 2048, inputColumns = 16, layerColumns = 128
        let frames = 200
        var rng = SeededGenerator(seed: 42)
        let layers: [ScenarioLayer] = [
            .inputs(columns: inputColumns, ScenarioActivations.gaussian(rows: rows, columns: inputColumns, rng: &rng)),
            .labels(ScenarioActivations.binaryLabels(rows: rows, rng: &rng)),
            .hidden("wide", columns: layerColumns, ScenarioActivations.gaussian(rows: rows, columns: layerColumns, rng: &rng)),
        ]
        let frameBytes = rows * (inputColumns + layerColumns) * 4 + rows * 8
        let framesHeld = assemblyFrames + framesInMemory + workers + credits
        try await Task.sleep(for: .milliseconds(500))
        let baseline = try #require(daemon.residentBytes())
        let kernelBytes = 3 * kernelSamples * kernelSamples * 8
        let cap = baseline + 3 * framesHeld * frameBytes + workers * kernelBytes

        let sampler = RSSSampler(daemon: daemon)
        let socket = daemon.socketPath
        let (sent, errors) = try await BlockingWorkers.run { () -> (Int, [Infoplane_V1_Error]) in
            let s = try InfoplaneSession(address: socket)
            try s.hello(run: run)
            for step in 0..<frames { try s.sendFrame(step: Int64(step), split: .probe, layers: layers) }
            try s.drain()
            try s.goodbye()
            return (frames, s.errors)
        }
        let floodPeak = sampler.stop()
        let estimatedAtFloodEnd = try daemon.store.points(run: run)
            .filter { $0.metric == StoreReader.Metric.diffusionSpectralEntropy }.count
        #expect(errors.isEmpty, "errors: \(errors)")

        let lastStep = Int64(sent - 1)
        let points = try daemon.waitForStore(timeout: 120, read: { try $0.points(run: run) }) {
            Set($0.filter { $0.metric == StoreReader.Metric.diffusionSpectralEntropy }.map(\.step)).count == frames
        }
        let estimatedSteps = Set(points.filter { $0.metric == StoreReader.Metric.diffusionSpectralEntropy }.map(\.step))
        let log = daemon.process.log
        let drops = log.components(separatedBy: "frame dropped").count - 1
            + log.components(separatedBy: "frame not kept").count - 1

        print("""
            backlog: \(sent) frames of \(frameBytes) B sent (\(sent * frameBytes / 1_000_000) MB); \
            RSS baseline \(baseline / 1_000_000) MB, cap \(cap / 1_000_000) MB \
            (baseline + 3 x \(framesHeld) frames x \(frameBytes) B + \(workers) x \(kernelBytes) B of kernel), peak during flood \(floodPeak / 1_000_000) MB; \
            \(estimatedSteps.count) frames estimated, \(drops) dropped
            """)
        #expect(sent * frameBytes > 2 * (cap - baseline), "the flood is too small to show a bound")
        #expect(floodPeak > baseline)
        #expect(floodPeak <= cap, "RSS peaked at \(floodPeak) B, above the cap \(cap) B")
        #expect(estimatedAtFloodEnd < frames - framesHeld,
                "\(estimatedAtFloodEnd) of \(frames) frames were estimated when the flood ended: it did not outrun estimation")
        #expect(drops == 0 && estimatedSteps == Set(0...lastStep), "\(estimatedSteps.count) of \(sent) estimated, \(drops) dropped")
        #expect(try daemon.process.stop() == 0)
    }
}

/// Samples the daemon's RSS every 20 ms on its own thread and keeps the largest value.
final class RSSSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(daemon: MonitorDaemon) {
        let thread = Thread { [self] in
            while lock.withLock({ running }) {
                if let rss = daemon.residentBytes() { lock.withLock { peak = max(peak, rss) } }
                usleep(20_000)
            }
            done.signal()
        }
        thread.start()
    }

    /// Stops sampling and returns the peak in bytes.
    func stop() -> Int {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { peak }
    }
}
