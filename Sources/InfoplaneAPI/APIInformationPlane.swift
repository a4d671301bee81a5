/// `GET /v1/runs/{run}/infoplane`: the information plane of a run (Shwartz-Ziv & Tishby
/// 2017, fig. 3): per layer, the trajectory of (I(X;T), I(T;Y)) over training steps, for
/// each pairing of an I(X;T) estimator with an I(T;Y) estimator on one split.
public struct APIInformationPlane: Codable, Sendable, Equatable {
    /// A step where both coordinates were estimated. Not an `APIPoint`: it pairs the values
    /// of two series (x from the I(X;T) series, y from the I(T;Y) one) at one step.
    public struct Point: Codable, Sendable, Equatable {
        public var step: Int64
        public var x: Double
        public var y: Double
        /// The flags of either coordinate (`saturated`, `few_samples`, `partial_frame`,
        /// `lower_bound`), by name; absent when neither has one.
        public var flags: [String]?

        public init(step: Int64, x: Double, y: Double, flags: [String]? = nil) {
            self.step = step; self.x = x; self.y = y; self.flags = flags
        }
    }

    /// One layer's points, by step.
    public struct Trajectory: Codable, Sendable, Equatable {
        public var layer: String
        public var points: [Point]

        public init(layer: String, points: [Point]) { self.layer = layer; self.points = points }
    }

    /// One (split, x estimator, y estimator) with a trajectory per layer (store order).
    public struct Pairing: Codable, Sendable, Equatable {
        public var split: String
        public var xEstimator: String
        public var yEstimator: String
        public var xUnits: String
        public var yUnits: String
        public var layers: [Trajectory]

        public init(split: String, xEstimator: String, yEstimator: String, xUnits: String, yUnits: String,
                    layers: [Trajectory]) {
            self.split = split; self.xEstimator = xEstimator; self.yEstimator = yEstimator
            self.xUnits = xUnits; self.yUnits = yUnits; self.layers = layers
        }
    }

    public var run: String
    /// The metric on the x axis, `I(X;T)`.
    public var xMetric: String
    /// The metric on the y axis, `I(T;Y)`.
    public var yMetric: String
    /// Probe split first, then train, validation; within a split the like-named pair first.
    public var pairings: [Pairing]

    public init(run: String, xMetric: String, yMetric: String, pairings: [Pairing]) {
        self.run = run; self.xMetric = xMetric; self.yMetric = yMetric; self.pairings = pairings
    }
}
