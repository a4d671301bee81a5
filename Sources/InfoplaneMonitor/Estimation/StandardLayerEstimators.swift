import InfoplaneEstimators

/// The real estimators of `InfoplaneEstimators`, as the pipeline runs them per watched layer.
/// It picks each estimate's view of the frame and its parameters, then runs it through the
/// one dispatch `EstimatorName.estimate`:
/// - `binning_ixt`: `BinningEstimator.entropy` of the raw T = I(X;T) (Shwartz-Ziv & Tishby
///   2017; deterministic network, distinct inputs), bins over the run's `BinRangePolicy`.
/// - `binning_ity`: `BinningEstimator.mutualInformation` of the raw T and Y.
/// - `ksg_ixt`: `KSGEstimator` algorithm 1 (Kraskov et al. 2004) on X and T (compressed by
///   default), k = `ksgNeighbors`, at most `knnMaxSamples` rows (seeded subset).
/// - `mixed_ity`: `MixedKSGEstimator` (Ross 2014) on T and the class labels.
/// - `dse`, `dsmi`: `DiffusionSpectralEntropy` / `DiffusionSpectralMutualInformation`
///   (Liao, Liu et al. 2023) on T (compressed by default), at most `kernelMaxSamples`
///   rows, σ from `EstimationInput.kernelSigma`, exact eigenvalues up to 2048 rows and
///   Lanczos quadrature beyond.
/// Every value is converted to `EstimationConfiguration.units`. A mutual information
/// estimated on a compressed view with fewer dimensions than the layer (or X) is marked a
/// lower bound (data processing inequality: I(f(X); g(T)) ≤ I(X; T)); a kNN estimate with
/// fewer samples than `NearestNeighborSampleRule` asks for its dimension is flagged
/// `fewSamples`.
public struct StandardLayerEstimators: LayerEstimating {
    public init() {}

    public func estimate(_ estimate: PipelineEstimate, input: EstimationInput,
                         configuration c: EstimationConfiguration) throws -> Estimate {
        var p = EstimatorParameters()
        p.seed = c.seed
        var lossy = false
        let x: Matrix
        var y: Matrix?
        var labels: [Int]?
        if estimate.usesBinning {
            let binning = binning(c, input)
            p.bins = binning.bins
            p.binning = binning.scheme
            x = input.activations
            if estimate.needsLabels { labels = try self.labels(input) }
        } else if estimate.usesKernel {
            let (t, y) = kernelRows(c, input, labels: estimate.needsLabels ? try self.labels(input) : nil)
            lossy = c.kernelInput == .compressed && Self.isReduced(input.compressed, from: input.activations)
            p.diffusion = diffusion(c, input, rows: t.rows)
            x = t
            labels = y
        } else {
            let t = c.knnInput == .compressed ? input.compressed : input.activations
            lossy = c.knnInput == .compressed && Self.isReduced(input.compressed, from: input.activations)
            let subset = SampleSubset.indices(rows: t.rows, limit: c.knnMaxSamples, seed: c.seed)
            if estimate.needsInputs {
                p.k = c.ksgNeighbors
                let inputs = c.knnInput == .compressed ? input.compressedInputs : input.inputs
                guard let inputs else {
                    throw EstimatorError.invalidParameter("I(X;T) needs the inputs X in the frame")
                }
                if c.knnInput == .compressed, let raw = input.inputs, Self.isReduced(inputs, from: raw) { lossy = true }
                x = SampleSubset.select(inputs, subset)
                y = SampleSubset.select(t, subset)
            } else {
                p.k = c.mixedNeighbors
                x = SampleSubset.select(t, subset)
                labels = SampleSubset.select(try self.labels(input), subset)
            }
        }
        var result = try estimate.estimator.estimate(estimate.quantity, x: x, y: y, labels: labels, parameters: p,
                                                     units: c.units)
        result.lowerBound = lossy && estimate.quantity == .mutualInformation
        if !estimate.usesBinning && !estimate.usesKernel {
            result.fewSamples = NearestNeighborSampleRule.isTooFew(n: result.n, d: result.d, k: p.k)
        }
        return result
    }

    /// One pass: the layer's rows are binned once into a `BinningAccumulator` with labels;
    /// H(T) = I(X;T) and I(T;Y) are read from the same counts.
    public func estimateBinningPair(input: EstimationInput, configuration c: EstimationConfiguration) throws
        -> (inputInformation: Estimate, labelInformation: Estimate) {
        let estimator = binning(c, input)
        var accumulator = BinningAccumulator(edges: try estimator.fit(input.activations))
        if let binned = input.binned, binned.edges == accumulator.edges, binned.rows == input.activations.rows {
            try accumulator.add(binned, labels: try labels(input))  // binned as the chunks arrived
        } else {
            try accumulator.add(input.activations, labels: try labels(input))
        }
        return (try accumulator.entropy(units: c.units), try accumulator.mutualInformation(units: c.units))
    }

    private func labels(_ input: EstimationInput) throws(EstimatorError) -> [Int] {
        guard let labels = input.labels else { throw .invalidParameter("I(T;Y) needs the labels Y in the frame") }
        return labels
    }

    private func binning(_ c: EstimationConfiguration, _ input: EstimationInput) -> BinningEstimator {
        switch c.binRange {
        case .fixed: return BinningEstimator(bins: c.bins, scheme: .fixed(lower: c.binLower, upper: c.binUpper))
        case .observed: return BinningEstimator(bins: c.bins, scheme: .observed)
        case .running:
            var range = input.binRange
            if !(range.lowerBound < range.upperBound) { range = (range.lowerBound - 0.5)...(range.upperBound + 0.5) }
            return BinningEstimator(bins: c.bins, scheme: .fixed(lower: range.lowerBound, upper: range.upperBound))
        }
    }

    /// T (compressed or raw) on the kernel budget's subset, with the labels of those rows.
    /// True when `view` has fewer dimensions than `data`: a projection that loses information.
    private static func isReduced(_ view: Matrix, from data: Matrix) -> Bool { view.columns < data.columns }

    private func kernelRows(_ c: EstimationConfiguration, _ input: EstimationInput, labels: [Int]?) -> (Matrix, [Int]?) {
        let t = c.kernelInput == .compressed ? input.compressed : input.activations
        let subset = SampleSubset.indices(rows: t.rows, limit: c.kernelMaxSamples, seed: c.seed)
        return (SampleSubset.select(t, subset), labels.map { SampleSubset.select($0, subset) })
    }

    private func diffusion(_ c: EstimationConfiguration, _ input: EstimationInput, rows: Int) -> DiffusionSpectralEntropy {
        DiffusionSpectralEntropy(sigma: input.kernelSigma, t: c.diffusionTime, maxSamples: max(rows, 2),
                                 method: .automatic(threshold: 2048), seed: c.seed)
    }
}
