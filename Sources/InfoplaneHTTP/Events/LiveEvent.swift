/// One event of the live stream, encoded once and sent to every subscriber.
struct LiveEvent: Sendable, Equatable {
    /// SSE event name: points, scalars, alert, frame_dropped.
    var name: String
    var run: String
    var sequence: UInt64
    /// Largest alert id delivered up to and including this event.
    var alertWatermark: Int64
    /// The stored alert's id when this is an alert.
    var alertID: Int64?
    /// The JSON payload (one line).
    var data: String

    func cursor(instance: String) -> EventCursor {
        EventCursor(instance: instance, sequence: sequence, alert: alertWatermark)
    }
}
