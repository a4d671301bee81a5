import Foundation
import HTTPTypes
import Hummingbird
import InfoplaneAPI
import InfoplaneMonitor

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
    static let accelBuffering = Self("X-Accel-Buffering")!
}

extension HTTPAPI {
    /// `GET /v1/events[?run=]`: Server-Sent Events of new points, scalars, alerts and frame
    /// drops. Each event's id is a cursor (`EventCursor`); reconnecting with it in
    /// `Last-Event-ID` (or `?last_event_id=`, for a first connection) replays what was missed
    /// from the in-memory ring, or, when the ring no longer holds it, sends a `resync`
    /// event followed by the stored alerts the client has not seen.
    func addEventRoutes(to router: Router<APIRequestContext>) {
        router.get("/v1/events") { request, _ in
            let query = try QueryParameters(request, allowed: ["run", "last_event_id"])
            let run = query.string("run")
            var cursor: EventCursor?
            if let text = request.headers[.lastEventID] ?? query.string("last_event_id"), !text.isEmpty {
                guard let parsed = EventCursor(parsing: text) else {
                    throw APIError.badQuery("Last-Event-ID '\(text)' is not an event id of this API (instance.sequence.alert)")
                }
                cursor = parsed
            }
            let resumeFrom = cursor
            let subscription = hub.subscribe(run: run, after: cursor)
            let store = self.store
            let instance = hub.instance
            let keepAliveSeconds = self.keepAliveSeconds
            let headers: HTTPFields = [
                .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache", .accelBuffering: "no",
            ]
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                let keepAlive = Task {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(keepAliveSeconds))
                        subscription.continuation.yield(.keepAlive)
                    }
                }
                defer {
                    keepAlive.cancel()
                    subscription.continuation.finish()
                }
                func send(_ text: String) async throws {
                    try await writer.write(ByteBuffer(string: text))
                }
                try await send("retry: 2000\n" + ServerSentEvent.comment("infoplane live events"))
                // Alerts at or below the floor were delivered already: never twice.
                var alertFloor = resumeFrom?.alert ?? -1
                func deliver(_ event: LiveEvent) async throws {
                    if let id = event.alertID {
                        guard id > alertFloor else { return }
                        alertFloor = id
                    }
                    try await send(ServerSentEvent(id: event.cursor(instance: instance).description, event: event.name, data: event.data).text)
                }
                switch subscription.start {
                case .replay(let events):
                    if resumeFrom == nil {
                        let hello = EventPayloads.json(APIHello(instance: instance, cursor: subscription.current.description))
                        try await send(ServerSentEvent(id: subscription.current.description, event: APIEventName.hello.rawValue,
                                                       data: hello).text)
                    }
                    for event in events { try await deliver(event) }
                case .resync(let afterAlert):
                    let alerts = try await store.alerts(run: run, afterID: afterAlert)
                    let note = EventPayloads.json(APIResync(reason: "the events after this client's last id are no longer kept; reload the series",
                                                            alerts: alerts.count))
                    try await send(ServerSentEvent(id: nil, event: APIEventName.resync.rawValue, data: note).text)
                    for alert in alerts {
                        guard let id = alert.id, id > alertFloor else { continue }
                        alertFloor = id
                        // "store" is never an instance token: resuming from here resyncs again,
                        // from this alert on, so no stored alert is skipped.
                        let cursor = EventCursor(instance: "store", sequence: 0, alert: id)
                        try await send(ServerSentEvent(id: cursor.description, event: APIEventName.alert.rawValue,
                                                   data: EventPayloads.json(APIAlert(alert))).text)
                    }
                }
                for await item in subscription.stream {
                    switch item {
                    case .event(let event): try await deliver(event)
                    case .keepAlive: try await send(ServerSentEvent.comment("keep-alive"))
                    }
                }
            })
        }
    }
}
