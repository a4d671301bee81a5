import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport
import Testing

/// A frame of thousands of layers against the real daemon (issue "Hardening", item 5):
/// while one worker estimates it, another run's frames are still estimated and stored,
/// and SIGTERM stops the daemon after the shutdown grace, not after the whole frame.
@Suite(.serialized) struct ManyLayersDaemonTests {
    static let layers = 3000
    static let rows = 64

    @Test func aFrameOfThousandsOfLayersNeitherStarvesOtherRunsNorHoldsShutdown() throws {
        let daemon = try MonitorDaemon(configuration: """
            [estimation]
            estimators = ["binning_ixt", "binning_ity", "ksg_ixt", "mixed_ity", "dse", "dsmi"]
            units = "bits"

            [scheduler]
            workers = 1
            shutdown_grace_seconds = 2
            """)
        var generator = SeededGenerator(seed: 13)
        func values(_ columns: Int) -> [Float] { (0..<(Self.rows * columns)).map { _ in Float.random(in: -1...1, using: &generator) } }
        let labels = (0..<Int64(Self.rows)).map { $0 % 4 }

        let big = try InfoplaneSession(address: daemon.socketPath)
        try big.hello(run: "many-layers")
        var frame: [ScenarioLayer] = [.inputs(columns: 4, values(4)), .labels(labels)]
        for i in 0..<Self.layers { frame.append(.hidden("layer\(i)", columns: 4, values(4))) }
        try big.sendFrame(step: 1, split: .probe, layers: frame)
        try big.drain()
        #expect(big.errors.isEmpty, "\(big.errors.first?.message ?? "")")

        // Another run, three small frames, sent after the big one is queued.
        let small = try InfoplaneSession(address: daemon.socketPath)
        try small.hello(run: "small")
        for step in Int64(1)...3 {
            try small.sendFrame(step: step, split: .probe, layers: [.inputs(columns: 4, values(4)), .labels(labels),
                                                                    .hidden("fc", columns: 4, values(4))])
        }
        try small.drain()
        let smallSteps = try daemon.waitForStore(timeout: 120, read: { try Set($0.points(run: "small").map(\.step)) },
                                                 until: { $0.count == 3 }, keepAlive: { try big.heartbeat(); try small.heartbeat() })
        #expect(smallSteps == [1, 2, 3], "the small run's frames are stored while the big frame is estimated")
        let bigLayersDone = Set(try daemon.store.points(run: "many-layers").filter { $0.metric == "I(X;T)" }.map(\.layer)).count
        #expect(bigLayersDone < Self.layers, "the big frame (\(bigLayersDone) of \(Self.layers) layers stored) was not finished first")

        // SIGTERM: estimation stops after the 2 s grace; what is done is stored.
        let stopping = Date()
        daemon.process.signal(SIGTERM)
        let status = try daemon.process.waitForExit(timeout: 60)
        let took = Date().timeIntervalSince(stopping)
        #expect(status == 0)
        #expect(took < 15, "stopped in \(took) s with a 2 s grace")
        #expect(daemon.process.log.contains("shutdown grace over"), "\(daemon.process.log.suffix(2000))")
        // What was done is stored, whatever the grace allowed on this machine: the layers with
        // an estimate are the layers the log does not count as left without one.
        let estimates: Set<String> = ["I(X;T)", "I(T;Y)", "DSE(T)"]
        let storedAtExit = Set(try daemon.store.points(run: "many-layers").filter { estimates.contains($0.metric) }.map(\.layer)).count
        let notEstimated = try #require(daemon.process.log.firstMatch(of: /layers_not_estimated=(\d+)/).flatMap { Int($0.output.1) })
        #expect(storedAtExit == Self.layers - notEstimated && storedAtExit < Self.layers,
                "\(storedAtExit) layers stored, \(notEstimated) of \(Self.layers) logged as not estimated")
        print("ManyLayersDaemonTests: \(bigLayersDone) of \(Self.layers) layers stored when the small run finished, \(storedAtExit) at exit; SIGTERM took \(String(format: "%.1f", took)) s")
    }
}
