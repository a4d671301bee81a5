/// `POST /v1/runs/{run}/refit`: what was requested (202 Accepted).
public struct APIRefit: Codable, Sendable, Equatable {
    public var run: String
    /// The layer to refit; absent for every layer of the run.
    public var layer: String?
    /// When the refit happens, in words.
    public var status: String

    public init(run: String, layer: String?, status: String) {
        self.run = run; self.layer = layer; self.status = status
    }
}
