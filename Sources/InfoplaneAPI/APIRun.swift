import Foundation

/// A run: `GET /v1/runs` lists them, `GET /v1/runs/{run}` shows one.
public struct APIRun: Codable, Sendable, Equatable {
    public var name: String
    /// Stable identifier, the same for every session of the run's name.
    public var id: String
    /// The client's name from its Hello.
    public var client: String
    public var metadata: [String: String]
    public var createdAt: Date
    /// Time of the last snapshot, scalars or Hello received.
    public var lastSeenAt: Date

    public init(name: String, id: String, client: String, metadata: [String: String], createdAt: Date, lastSeenAt: Date) {
        self.name = name; self.id = id; self.client = client; self.metadata = metadata; self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}

/// `GET /v1/runs`: the runs, oldest first.
public struct APIRunList: Codable, Sendable, Equatable {
    public var runs: [APIRun]

    public init(runs: [APIRun]) { self.runs = runs }
}
