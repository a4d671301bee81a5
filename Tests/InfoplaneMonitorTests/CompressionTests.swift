import Logging
import Testing
import InfoplaneEstimators
import class InfoplaneTestSupport.ManualClock
@testable import InfoplaneMonitor

@Suite struct CompressionTests {
    /// Rows living mostly in a 3-dimensional subspace of 20 dimensions, plus a little noise.
    func lowRank(rows: Int, seed: UInt64, scale: Double = 1) throws -> Matrix {
        var g = SeededGenerator(seed: seed)
        var basis = SeededGenerator(seed: 99)
        let directions = (0..<(3 * 20)).map { _ in basis.nextGaussian() }
        var storage: [Double] = []
        for _ in 0..<rows {
            let z = (0..<3).map { _ in g.nextGaussian() * scale }
            for c in 0..<20 {
                storage.append((0..<3).reduce(0) { $0 + z[$1] * directions[$1 * 20 + c] } + 0.01 * g.nextGaussian())
            }
        }
        return try Matrix(rows: rows, columns: 20, storage: storage)
    }

    @Test func pcaReducesToTheTargetAndRecordsExplainedVariance() throws {
        let data = try lowRank(rows: 200, seed: 1)
        let configuration = with(CompressionConfiguration()) { $0.method = .pca; $0.dimension = 3 }
        let projection = try LayerProjection.fit(data, configuration: configuration, step: 4)
        #expect(projection.method == .pca)
        #expect(projection.fittedAtStep == 4)
        #expect(projection.outputWidth == 3)
        let out = try projection.apply(to: data)
        #expect(out.rows == 200 && out.columns == 3)
        // Three directions carry nearly all the variance.
        let explained = try #require(projection.explainedVariance)
        #expect(explained > 0.999 && explained <= 1 + 1e-12)
        #expect(projection.explainedVarianceRatio == projection.explainedVarianceRatio.sorted(by: >))
    }

    @Test func narrowLayersAreUsedAsTheyAre() throws {
        let data = try Matrix(rows: 3, columns: 2, storage: [1, 2, 3, 4, 5, 6])
        for method in CompressionMethod.allCases {
            let configuration = with(CompressionConfiguration()) { $0.method = method; $0.dimension = 2 }
            let projection = try LayerProjection.fit(data, configuration: configuration, step: 0)
            #expect(projection.isIdentity)
            #expect(try projection.apply(to: data) == data)
        }
    }

    @Test func randomProjectionIsSeededPerLayer() throws {
        let data = try lowRank(rows: 50, seed: 2)
        let configuration = with(CompressionConfiguration()) {
            $0.method = .randomProjection
            $0.dimension = 4
            $0.seed = 7
        }
        let a = try LayerProjection.fit(data, configuration: configuration, step: 0, salt: LayerProjection.salt("h1"))
        let b = try LayerProjection.fit(data, configuration: configuration, step: 9, salt: LayerProjection.salt("h1"))
        let c = try LayerProjection.fit(data, configuration: configuration, step: 0, salt: LayerProjection.salt("h2"))
        #expect(try a.apply(to: data) == b.apply(to: data))
        #expect(try a.apply(to: data) != c.apply(to: data))
        #expect(a.explainedVariance == nil)
    }

    @Test func widthChangeIsAnError() throws {
        let configuration = with(CompressionConfiguration()) { $0.dimension = 2 }
        let projection = try LayerProjection.fit(try lowRank(rows: 30, seed: 3), configuration: configuration, step: 0)
        #expect(throws: CompressionError.widthChanged(expected: 20, got: 2)) {
            try projection.apply(to: try Matrix(rows: 1, columns: 2, storage: [0, 0]))
        }
    }

    @Test func registryKeepsTheFirstBasisUntilRefit() throws {
        var registry = CompressionRegistry()
        let key = LayerKey(run: "r", layer: "h")
        let first = LayerProjection.identity(width: 3, step: 1)
        let second = LayerProjection.identity(width: 3, step: 2)
        registry.beginFit(key)
        #expect(registry.fitting.contains(key))
        #expect(registry.adopt(first, for: key) == first)
        #expect(registry.adopt(second, for: key) == first)
        #expect(registry.fitting.isEmpty)
        registry.refit(run: "r")
        #expect(registry.projection(for: key) == nil)
        #expect(registry.adopt(second, for: key) == second)
        #expect(registry.extendRange(key, by: -1...2) == -1...2)
        #expect(registry.extendRange(key, by: 0...3) == -1...3)
    }

    /// Through the pipeline: the basis is fitted on the run's first complete frame and every
    /// later frame is projected on it, until a refit is requested.
    @Test func pcaBasisIsFixedAfterTheFirstFrame() async throws {
        let store = InMemorySeriesStore()
        let estimators = RecordingEstimators()
        var configuration = MonitorConfiguration()
        configuration.estimation.estimators = [.diffusionSpectralEntropy]
        configuration.compression.dimension = 3
        let p = MonitorPipeline(configuration: configuration, store: store, logger: Logger(label: "test"),
                                clock: ManualClock(), estimators: estimators)
        var first = SyntheticFrame(step: 1)
        first.layerWidths = [10]
        var second = first
        second.step = 2
        second.seed = 50
        second.scale = 3
        for snapshot in first.snapshots() + second.snapshots() { try await p.accept(snapshot) }
        await p.finish()

        let kept = try #require(await p.projection(run: "r", layer: "h1"))
        #expect(kept.fittedAtStep == 1)
        let expectedBasis = try PCA.fit(try first.matrix(layer: 0), components: 3)
        #expect(kept.transform == .pca(expectedBasis))
        let secondCall = try #require(estimators.recorded.first { $0.input.key.step == 2 })
        let expected = try expectedBasis.transform(try second.matrix(layer: 0))
        #expect(secondCall.input.compressed == expected, "frame 2 is projected on frame 1's basis")
        #expect(try PCA.fit(try second.matrix(layer: 0), components: 3).transform(try second.matrix(layer: 0)) != expected)
        // Explained variance is recorded once, at the fitting step.
        let variance = await store.allPoints.filter { $0.metric == Metric.explainedVariance && $0.layer == "h1" }
        #expect(variance.map(\.step) == [1])
        #expect(abs(variance[0].value - expectedBasis.explainedVarianceRatio.reduce(0, +)) < 1e-12)
    }

    @Test func refitFitsANewBasisOnTheNextCompleteFrame() async throws {
        let store = InMemorySeriesStore()
        var configuration = MonitorConfiguration()
        configuration.estimation.estimators = [.diffusionSpectralEntropy]
        configuration.compression.dimension = 3
        let p = MonitorPipeline(configuration: configuration, store: store, logger: Logger(label: "test"),
                                clock: ManualClock(), estimators: RecordingEstimators())
        let task = Task { await p.run() }
        var frame = SyntheticFrame(step: 1)
        frame.layerWidths = [10]
        for snapshot in frame.snapshots() { try await p.accept(snapshot) }
        while await p.projection(run: "r", layer: "h1") == nil { try await Task.sleep(for: .milliseconds(5)) }
        await p.refitCompression(run: "r")
        #expect(await p.projection(run: "r", layer: "h1") == nil)
        frame.step = 2
        for snapshot in frame.snapshots() { try await p.accept(snapshot) }
        await p.finish()
        await task.value
        #expect(await p.projection(run: "r", layer: "h1")?.fittedAtStep == 2)
        let steps = await store.allPoints.filter { $0.metric == Metric.explainedVariance && $0.layer == "h1" }.map(\.step)
        #expect(steps == [1, 2])
    }

    @Test func noiseIsAddedToTheCompressedViewOnly() async throws {
        let estimators = RecordingEstimators()
        var configuration = MonitorConfiguration()
        configuration.estimation.estimators = [.binningInputInformation, .diffusionSpectralEntropy]
        configuration.compression.method = .none
        configuration.compression.noiseSigma = 0.5
        let p = MonitorPipeline(configuration: configuration, store: InMemorySeriesStore(), logger: Logger(label: "test"),
                                clock: ManualClock(), estimators: estimators)
        let frame = SyntheticFrame(step: 1)
        for snapshot in frame.snapshots() { try await p.accept(snapshot) }
        await p.finish()
        let call = try #require(estimators.recorded.first { $0.input.layer == "h1" })
        let raw = try frame.matrix(layer: 0)
        #expect(call.input.activations == raw)
        let difference = zip(call.input.compressed.storage, raw.storage).map { $0 - $1 }
        let mean = difference.reduce(0, +) / Double(difference.count)
        let sd = (difference.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(difference.count)).squareRoot()
        // 64 × 16 = 1024 draws of N(0, 0.25): sd within 10 % of 0.5, mean within 4 standard errors.
        #expect(abs(sd - 0.5) < 0.05)
        #expect(abs(mean) < 4 * 0.5 / 32)
    }

    @Test func inputsStayUncompressedWhenConfigured() async throws {
        let estimators = RecordingEstimators()
        var configuration = MonitorConfiguration()
        configuration.estimation.estimators = [.ksgInputInformation]
        configuration.compression.compressInputs = false
        let p = MonitorPipeline(configuration: configuration, store: InMemorySeriesStore(), logger: Logger(label: "test"),
                                clock: ManualClock(), estimators: estimators)
        for snapshot in SyntheticFrame(step: 1).snapshots() { try await p.accept(snapshot) }
        await p.finish()
        let call = try #require(estimators.recorded.first { $0.input.layer == "h1" })
        #expect(call.input.compressedInputs?.columns == 12)
        #expect(call.input.compressed.columns == 5)
        #expect(await p.projection(run: "r", layer: "x")?.isIdentity == true)
    }
}
