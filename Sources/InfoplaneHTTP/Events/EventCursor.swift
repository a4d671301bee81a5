import Foundation

/// The position of an SSE client in the live stream, sent as each event's `id:` and read
/// back from `Last-Event-ID`: `<instance>.<sequence>.<alert>`.
///
/// - `instance`: a token drawn when the HTTP service started; a cursor from another
///   instance (the daemon restarted) cannot be resumed from memory.
/// - `sequence`: the event's number in this instance, increasing by one per event.
/// - `alert`: the largest stored alert id delivered up to this event, so that a client
///   whose position fell out of the in-memory ring (or the daemon restarted) still gets
///   every alert it missed, from the store.
struct EventCursor: Sendable, Equatable, CustomStringConvertible {
    var instance: String
    var sequence: UInt64
    var alert: Int64

    var description: String { "\(instance).\(sequence).\(alert)" }

    init(instance: String, sequence: UInt64, alert: Int64) {
        self.instance = instance
        self.sequence = sequence
        self.alert = alert
    }

    /// Parses a `Last-Event-ID`; nil when it is not of the form above.
    init?(parsing text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, let sequence = UInt64(parts[1]), let alert = Int64(parts[2]), alert >= 0 else {
            return nil
        }
        self.init(instance: String(parts[0]), sequence: sequence, alert: alert)
    }
}
