import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

extension MonitorEndToEndTests {
    /// A frame with a 65,536-feature layer (512 samples: 128 MB of values, sent in 8 chunks
    /// of 16 MB) goes through ingest, the waiting-frame store, the PCA fit (randomized, never
    /// a d × d matrix) and every default estimator, with the daemon's defaults.
    ///
    /// The memory bound stated here is what the daemon needs today, not the issue's goal of
    /// about twice the frame: the layer is widened to `Double` for its preparation (2×), and
    /// the waiting frame's save and the PCA fit hold their own copies (performance.md, "A
    /// whole 65,536-wide frame"). Measured 5.2 × the frame above the baseline (debug build,
    /// 2026-12-07); bound: baseline + 6 × the frame's bytes + 64 MB. The test guards against
    /// that growing; lowering it to about 2 × is the work left.
    @Test func aFrameWithA65536FeatureLayerIsEstimatedWithinTheMemoryBound() async throws {
        let rows = 512, width = 65_536
        let daemon = try MonitorDaemon(configuration: "")
        var rng = SeededGenerator(seed: 65_536)
        let layers: [ScenarioLayer] = [
            .inputs(columns: 12, ScenarioActivations.gaussian(rows: rows, columns: 12, rng: &rng)),
            .labels(ScenarioActivations.binaryLabels(rows: rows, rng: &rng)),
            .hidden("wide", columns: width, ScenarioActivations.gaussian(rows: rows, columns: width, rng: &rng)),
        ]
        let frameBytes = rows * width * 4
        try await Task.sleep(for: .milliseconds(300))
        let baseline = try #require(daemon.residentBytes())
        let sampler = RSSSampler(daemon: daemon)
        let socket = daemon.socketPath
        let errors = try await BlockingWorkers.run { () -> [Infoplane_V1_Error] in
            let s = try InfoplaneSession(address: socket)
            try s.hello(run: "wide")
            try s.sendFrame(step: 0, split: .probe, layers: layers, chunks: 8)
            try s.drain()
            try s.goodbye()
            return s.errors
        }
        #expect(errors.isEmpty, "errors: \(errors)")
        let points = try daemon.waitForStore(timeout: 300, read: { try $0.points(run: "wide") }) { points in
            points.contains { $0.metric == StoreReader.Metric.diffusionSpectralEntropy }
                && points.contains { $0.metric == StoreReader.Metric.inputInformation && $0.estimator == "ksg1" }
        }
        let peak = sampler.stop()
        let metrics = Set(points.map { "\($0.metric) \($0.estimator)" })
        print("65,536-wide frame: \(frameBytes / 1_000_000) MB of values; RSS baseline \(baseline / 1_000_000) MB, peak \(peak / 1_000_000) MB (\(String(format: "%.1f", Double(peak - baseline) / Double(frameBytes))) x the frame above the baseline); points: \(metrics.sorted())")
        for expected in ["I(X;T) binning", "I(T;Y) binning", "I(X;T) ksg1", "I(T;Y) mixed", "DSE(T) dse", "I(T;Y) dsmi"] {
            #expect(metrics.contains(expected), "no \(expected) point: \(metrics.sorted())")
        }
        #expect(peak <= baseline + 6 * frameBytes + (64 << 20),
                "RSS peaked at \(peak) B: above baseline \(baseline) B + 6 x \(frameBytes) B + 64 MB")
        #expect(try daemon.process.stop() == 0)
    }
}
