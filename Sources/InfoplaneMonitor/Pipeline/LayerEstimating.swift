import InfoplaneEstimators

/// What one estimate of one watched layer T of a frame gets to see.
public struct EstimationInput: Sendable {
    public var key: FrameKey
    public var layer: String
    /// T as sent (rows aligned with the frame's sample ids): what the binning estimators see.
    public var activations: Matrix
    /// T after compression (and noise, when configured): what the kNN and kernel
    /// estimators see unless configured to take the raw activations.
    public var compressed: Matrix
    /// X as sent, when the frame has inputs.
    public var inputs: Matrix?
    /// X after compression, when the frame has inputs.
    public var compressedInputs: Matrix?
    /// One class label per row, when the frame has labels.
    public var labels: [Int]?
    /// The range equal-width bins span (from the run's `BinRangePolicy`).
    public var binRange: ClosedRange<Double>
    /// σ of the DSE/DSMI kernel chosen for this layer and frame (see `KernelBandwidth`).
    public var kernelSigma: Double
    /// The layer's rows already binned as their chunks arrived (`FrameLayer.binned`), in
    /// row order; nil when the binning estimators must bin `activations` themselves.
    public var binned: BinnedRows?

    public init(key: FrameKey, layer: String, activations: Matrix, compressed: Matrix, inputs: Matrix? = nil,
                compressedInputs: Matrix? = nil, labels: [Int]? = nil, binRange: ClosedRange<Double> = -1...1,
                kernelSigma: Double = 1) {
        self.key = key
        self.layer = layer
        self.activations = activations
        self.compressed = compressed
        self.inputs = inputs
        self.compressedInputs = compressedInputs
        self.labels = labels
        self.binRange = binRange
        self.kernelSigma = kernelSigma
    }
}

/// Computes one `PipelineEstimate` on one layer of a frame. The pipeline calls it from its
/// worker pool, never from ingest. `StandardLayerEstimators` is the real implementation;
/// tests may substitute another.
public protocol LayerEstimating: Sendable {
    func estimate(_ estimator: PipelineEstimate, input: EstimationInput,
                  configuration: EstimationConfiguration) throws -> Estimate

    /// Binning I(X;T) and I(T;Y) together, so an implementation can bin the layer once.
    func estimateBinningPair(input: EstimationInput, configuration: EstimationConfiguration) throws
        -> (inputInformation: Estimate, labelInformation: Estimate)
}

extension LayerEstimating {
    /// Two separate estimates.
    public func estimateBinningPair(input: EstimationInput, configuration: EstimationConfiguration) throws
        -> (inputInformation: Estimate, labelInformation: Estimate) {
        (try estimate(.binningInputInformation, input: input, configuration: configuration),
         try estimate(.binningLabelInformation, input: input, configuration: configuration))
    }
}
