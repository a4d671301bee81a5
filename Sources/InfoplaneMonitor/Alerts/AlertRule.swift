import Foundation

/// What the alert engine feeds its rules, in arrival order.
public enum AlertInput: Sendable, Equatable {
    /// One estimate (already filtered: finite, and complete unless configured otherwise).
    case point(SeriesPoint)
    /// Training scalars of one step.
    case scalars(ScalarRecord)
    /// The run sent something (a snapshot, scalars): it is alive. `step` when known.
    case activity(run: String, step: Int64?)
    /// The run's client said Goodbye: it is not stalled, whatever arrives later from its
    /// frames still being estimated. New ingest `activity` reopens it.
    case sessionClosed(run: String)
    /// The run ended cleanly and its last frames are stored: forget it.
    case runEnded(run: String)
}

/// One alert rule: a pure state machine over the inputs of every run. No I/O and no clock:
/// the time of each input (and of each tick) is passed in and only stamped on alerts or,
/// for time-based rules, compared.
public protocol AlertRule: Sendable {
    /// The kind of alert this rule raises.
    var kind: AlertKind { get }
    /// Feeds one input; returns the alerts it confirms (usually none).
    mutating func observe(_ input: AlertInput, at time: Date) -> [AlertRecord]
    /// Lets time-based rules look at the clock; returns the alerts due at `now`.
    mutating func tick(now: Date) -> [AlertRecord]
}

extension AlertRule {
    public mutating func tick(now: Date) -> [AlertRecord] { [] }
}
