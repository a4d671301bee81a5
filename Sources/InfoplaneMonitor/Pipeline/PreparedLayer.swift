import InfoplaneEstimators

/// A layer (or X) converted and compressed, ready for the estimators.
struct PreparedLayer: Sendable {
    var name: String
    var role: LayerRole
    /// The values as sent, as `Double`.
    var raw: Matrix
    /// After compression and noise.
    var compressed: Matrix
    /// Minimum and maximum of `raw`.
    var observedRange: ClosedRange<Double>
    /// The range the binning estimators use (set by the pipeline from the run's policy).
    var binRange: ClosedRange<Double>
    /// The projection applied.
    var projection: LayerProjection
    /// True when `projection` was fitted on this frame.
    var fittedHere: Bool
    /// Time the preparation took (conversion, fit, projection, noise, σ).
    var duration: Duration = .zero
    /// σ of the DSE/DSMI kernel for this layer and frame; nil when no kernel estimator runs.
    var kernelSigma: Double?

    init(name: String, role: LayerRole, raw: Matrix, compressed: Matrix, observedRange: ClosedRange<Double>,
                binRange: ClosedRange<Double>, projection: LayerProjection, fittedHere: Bool, kernelSigma: Double? = nil) {
        self.name = name
        self.role = role
        self.raw = raw
        self.compressed = compressed
        self.observedRange = observedRange
        self.binRange = binRange
        self.projection = projection
        self.fittedHere = fittedHere
        self.kernelSigma = kernelSigma
    }
}
