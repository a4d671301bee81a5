import Testing
import InfoplaneEstimators
@testable import InfoplaneMonitor

@Suite struct EstimationSchedulerTests {
    func frame(step: Int64, split: ProbeSplit = .train, run: String = "r", labels: Bool = true, inputs: Bool = true) -> ProbeFrame {
        var layers = [FrameLayer(name: "h1", role: .hidden, columns: 1, values: .floats([0, 1])),
                      FrameLayer(name: "h2", role: .hidden, columns: 1, values: .floats([1, 0]))]
        if inputs { layers.insert(FrameLayer(name: "x", role: .input, columns: 1, values: .floats([0, 1])), at: 0) }
        if labels { layers.append(FrameLayer(name: "y", role: .label, columns: 1, values: .integers([0, 1]))) }
        return ProbeFrame(key: FrameKey(run: run, step: step, split: split), epoch: 0, sampleIDs: [0, 1], layers: layers, partial: false)
    }

    func prepared(_ name: String) throws -> PreparedLayer {
        let m = try Matrix(rows: 2, columns: 1, storage: [0, 1])
        return PreparedLayer(name: name, role: .hidden, raw: m, compressed: m, observedRange: 0...1, binRange: 0...1,
                             projection: .identity(width: 1, step: 0), fittedHere: false)
    }

    func point(_ s: EstimationScheduler, _ item: WorkItem, _ layer: String, _ estimator: PipelineEstimate) -> SeriesPoint {
        let key = s.jobs[item.job]!.frame.key
        return SeriesPoint(series: SeriesID(run: key.run, layer: layer, split: key.split, metric: estimator.metric, estimator: estimator.estimator),
                step: key.step, value: 1, unit: .bits, sampleCount: 2, dimension: 1, seconds: 0)
    }

    /// Runs every item of the scheduler to completion, in the order it hands them out.
    func drain(_ s: inout EstimationScheduler) throws -> (items: [WorkItem], frames: [FinishedFrame]) {
        var items: [WorkItem] = []
        var frames: [FinishedFrame] = []
        while let item = s.next() {
            items.append(item)
            switch item.kind {
            case .prepare(let layer): s.completePreparation(item, result: try prepared(layer))
            case let .estimate(layer, estimator):
                s.completeEstimate(item, point: point(s, item, layer, estimator))
            case .binningPair(let layer):
                s.completeEstimates(item, points: [point(s, item, layer, .binningInputInformation),
                                                   point(s, item, layer, .binningLabelInformation)])
            }
            frames += s.takeFinished()
        }
        return (items, frames + s.takeFinished())
    }

    @Test func itemsComeOldestFrameFirstPrepareBeforeEstimate() throws {
        var s = EstimationScheduler()
        let settings = RunSettings(estimation: EstimationConfiguration(estimators: [.ksgInputInformation, .diffusionSpectralEntropy]))
        s.enqueue(frame(step: 1), settings: settings, now: .seconds(0))
        s.enqueue(frame(step: 2), settings: settings, now: .seconds(0))
        let (items, finished) = try drain(&s)
        let kinds = items.map { ($0.job, $0.kind) }
        // Frame 1: prepare x, h1, h2, then 2 layers × 2 estimators; then frame 2 likewise.
        #expect(items.count == 2 * (3 + 4))
        #expect(kinds.prefix(7).allSatisfy { $0.0 == 1 })
        #expect(items.prefix(3).allSatisfy { if case .prepare = $0.kind { true } else { false } })
        #expect(items[3..<7].allSatisfy { if case .estimate = $0.kind { true } else { false } })
        #expect(finished.map(\.key.step) == [1, 2])
        #expect(finished[0].points.count == 4)
    }

    @Test func estimatorsWithoutTheirInputsAreLeftOut() throws {
        var s = EstimationScheduler()
        s.enqueue(frame(step: 1, labels: false, inputs: false), settings: RunSettings(), now: .seconds(0))
        let (items, finished) = try drain(&s)
        let estimators = Set(items.compactMap { if case .estimate(_, let e) = $0.kind { e } else { nil } })
        #expect(estimators == [.binningInputInformation, .diffusionSpectralEntropy])
        // X is not prepared when no estimator needs it.
        #expect(!items.contains { $0.kind == .prepare(layer: "x") })
        #expect(finished.first?.points.count == 4)
    }

    @Test func failedPreparationSkipsThatLayer() throws {
        var s = EstimationScheduler()
        s.enqueue(frame(step: 1), settings: RunSettings(estimation: EstimationConfiguration(estimators: [.diffusionSpectralEntropy])), now: .seconds(0))
        var finished: [FinishedFrame] = []
        while let item = s.next() {
            switch item.kind {
            case .prepare(let layer):
                s.completePreparation(item, result: layer == "h2" ? nil : try prepared(layer), failure: "width changed")
            case let .estimate(layer, _), let .binningPair(layer):
                #expect(layer == "h1")
                s.completeEstimate(item, point: nil)
            }
            finished += s.takeFinished()
        }
        #expect(finished.first?.failedLayers == ["h2": "width changed"])
    }

    @Test func noEstimatorsFinishesWithoutWork() {
        var s = EstimationScheduler()
        s.enqueue(frame(step: 4), settings: RunSettings(estimation: EstimationConfiguration(estimators: [])), now: .seconds(0))
        #expect(s.next() == nil)
        let finished = s.takeFinished()
        #expect(finished.map(\.key.step) == [4])
        #expect(finished.first?.points.isEmpty == true)
        #expect(s.isIdle)
    }

    @Test func bothBinningEstimatorsShareOneItem() throws {
        var s = EstimationScheduler()
        s.enqueue(frame(step: 1), settings: RunSettings(), now: .seconds(0))
        let (items, finished) = try drain(&s)
        let estimates = items.filter { if case .prepare = $0.kind { false } else { true } }
        // Per layer: one binning pair + ksg, mixed, dse, dsmi.
        #expect(estimates.count == 2 * 5)
        #expect(estimates.filter { if case .binningPair = $0.kind { true } else { false } }.count == 2)
        #expect(finished.first?.points.count == 2 * 6)
    }
}
