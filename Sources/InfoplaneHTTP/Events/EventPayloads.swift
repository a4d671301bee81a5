import Foundation
import InfoplaneAPI
import InfoplaneMonitor

/// The live stream's event of a monitor event: its name and JSON data (see `APIEventName`).
enum EventPayloads {
    /// The SSE event name and JSON of a monitor event; nil for an empty points batch.
    static func encode(_ event: MonitorEvent) -> (name: String, data: String, alertID: Int64?)? {
        switch event {
        case .points(let points):
            guard let first = points.first else { return nil }
            let payload = APIPointsEvent(run: first.run, step: first.step, split: first.split.rawValue,
                                         points: points.map(APILabelledPoint.init))
            return (APIEventName.points.rawValue, json(payload), nil)
        case .scalars(let record):
            return (APIEventName.scalars.rawValue, json(APIScalarsEvent(record)), nil)
        case .alert(let record):
            return (APIEventName.alert.rawValue, json(APIAlert(record)), record.id)
        case let .frameDropped(frame, reason):
            return (APIEventName.frameDropped.rawValue, json(APIFrameDropped(frame, reason: reason)), nil)
        }
    }

    /// One line of JSON, as the API writes it.
    static func json<T: Encodable>(_ value: T) -> String {
        (try? APIJSON.text(value)) ?? "{}"
    }
}
