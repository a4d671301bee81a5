/// How far a run's estimation is behind its training (`GET /healthz` per run, `GET
/// /v1/runs/:run`): the wire form of the pipeline's `EstimationLag`.
public struct APIEstimationLag: Codable, Sendable, Equatable {
    /// The newest step of an assembled frame.
    public var newestReceivedStep: Int64
    /// The newest step whose points are stored; absent before the first.
    public var newestEstimatedStep: Int64?
    /// Steps from the newest estimated frame to the newest received one (0 when none waits).
    public var lagSteps: Int64
    /// Frames received and not yet estimated, and their bytes in the waiting-frame store.
    public var framesWaiting: Int
    public var bytesWaiting: Int
    /// 1 while every frame is kept; 2, 4, … while only steps that are multiples of it are.
    public var thinningStride: Int64

    public init(newestReceivedStep: Int64, newestEstimatedStep: Int64?, lagSteps: Int64, framesWaiting: Int,
                bytesWaiting: Int, thinningStride: Int64) {
        self.newestReceivedStep = newestReceivedStep; self.newestEstimatedStep = newestEstimatedStep
        self.lagSteps = lagSteps; self.framesWaiting = framesWaiting; self.bytesWaiting = bytesWaiting
        self.thinningStride = thinningStride
    }
}
