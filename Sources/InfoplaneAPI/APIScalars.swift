/// The training scalars of one (step, split): loss, accuracy, … by name.
public struct APIScalars: Codable, Sendable, Equatable {
    public var step: Int64
    public var epoch: Int64
    public var split: String
    public var values: [String: Double]

    public init(step: Int64, epoch: Int64, split: String, values: [String: Double]) {
        self.step = step; self.epoch = epoch; self.split = split; self.values = values
    }
}

/// `GET /v1/runs/{run}/scalars`: ordered by step.
public struct APIScalarList: Codable, Sendable, Equatable {
    public var run: String
    public var scalars: [APIScalars]

    public init(run: String, scalars: [APIScalars]) { self.run = run; self.scalars = scalars }
}
