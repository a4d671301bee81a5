import Foundation

/// The kinds of alert the daemon raises (see Documentation/alerts.md).
public enum AlertKind: String, Sendable, Codable, CaseIterable {
    case compressionOnset = "compression_onset"
    case overfitting = "overfitting"
    case representationCollapse = "representation_collapse"
    case clientStalled = "client_stalled"
}

public enum AlertSeverity: String, Sendable, Codable, CaseIterable {
    case info, warning, critical
}

/// An alert as stored, logged and delivered: what rule fired, where, when, and the
/// evidence (the steps and values that triggered it).
public struct AlertRecord: Sendable, Equatable, Codable {
    /// Store-assigned identifier; nil until stored.
    public var id: Int64?
    public var run: String
    /// The layer concerned; empty for run-wide alerts (client_stalled, loss-based overfitting).
    public var layer: String
    public var kind: AlertKind
    public var severity: AlertSeverity
    /// The step at which the condition was detected.
    public var step: Int64
    /// What was seen, in words, with the steps involved.
    public var message: String
    /// Machine-readable evidence: a JSON object.
    public var evidenceJSON: String
    public var time: Date

    public init(id: Int64? = nil, run: String, layer: String, kind: AlertKind, severity: AlertSeverity,
                step: Int64, message: String, evidenceJSON: String, time: Date = Date()) {
        self.id = id
        self.run = run
        self.layer = layer
        self.kind = kind
        self.severity = severity
        self.step = step
        self.message = message
        self.evidenceJSON = evidenceJSON
        self.time = time
    }
}
