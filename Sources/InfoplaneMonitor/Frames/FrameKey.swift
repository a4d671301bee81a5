/// Identifies one probe frame: the snapshots of one run, at one training step, on one split.
public struct FrameKey: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var run: String
    public var step: Int64
    public var split: ProbeSplit

    public init(run: String, step: Int64, split: ProbeSplit) {
        self.run = run
        self.step = step
        self.split = split
    }

    public init(_ snapshot: ProbeSnapshot) {
        self.init(run: snapshot.run, step: snapshot.step, split: snapshot.split)
    }

    /// The stream a frame belongs to: frames of one run and split follow each other by step.
    public var stream: FrameStream { FrameStream(run: run, split: split) }

    public static func < (a: FrameKey, b: FrameKey) -> Bool {
        (a.run, a.split.rawValue, a.step) < (b.run, b.split.rawValue, b.step)
    }

    public var description: String { "\(run)/\(split.rawValue)@\(step)" }
}

/// The frames of one run on one split, ordered by step.
public struct FrameStream: Sendable, Hashable, CustomStringConvertible {
    public var run: String
    public var split: ProbeSplit

    public init(run: String, split: ProbeSplit) {
        self.run = run
        self.split = split
    }

    public var description: String { "\(run)/\(split.rawValue)" }
}
