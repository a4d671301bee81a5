import Foundation

/// An alert as `GET /v1/alerts` and the live `alert` event write it.
public struct APIAlert: Codable, Sendable, Equatable {
    /// The store's identifier; alerts are numbered in the order they were raised.
    public var id: Int64
    public var run: String
    /// Empty for run-wide alerts.
    public var layer: String
    /// `compression_onset`, `overfitting`, `representation_collapse`, `client_stalled`.
    public var kind: String
    /// `info`, `warning`, `critical`.
    public var severity: String
    public var step: Int64
    public var message: String
    /// The rule's machine-readable evidence (Documentation/alerts.md).
    public var evidence: JSONValue
    public var time: Date

    public init(id: Int64, run: String, layer: String, kind: String, severity: String, step: Int64, message: String,
                evidence: JSONValue, time: Date) {
        self.id = id; self.run = run; self.layer = layer; self.kind = kind; self.severity = severity
        self.step = step; self.message = message; self.evidence = evidence; self.time = time
    }
}

/// `GET /v1/alerts`: ordered by id.
public struct APIAlertList: Codable, Sendable, Equatable {
    public var alerts: [APIAlert]

    public init(alerts: [APIAlert]) { self.alerts = alerts }
}
