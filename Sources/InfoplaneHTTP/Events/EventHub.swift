import Foundation
import InfoplaneMonitor
import Synchronization

/// Numbers the monitor's events, keeps the newest in a ring and fans them out to the SSE
/// clients. Subscribing and replaying from the ring happen under one lock, so a resuming
/// client gets every kept event after its cursor exactly once, then the live ones.
final class EventHub: Sendable {
    enum Item: Sendable, Equatable {
        case event(LiveEvent)
        case keepAlive
    }

    /// Where a new subscriber starts.
    enum Start: Sendable, Equatable {
        /// From the ring: these events, then live.
        case replay([LiveEvent])
        /// The cursor is unknown to this instance or older than the ring: live from now,
        /// after re-sending the stored alerts with an id above `afterAlert`.
        case resync(afterAlert: Int64)
    }

    struct Subscription: Sendable {
        var start: Start
        var stream: AsyncStream<Item>
        var continuation: AsyncStream<Item>.Continuation
        /// The cursor of the newest event at subscription time.
        var current: EventCursor
    }

    private struct State {
        var ring: EventRing
        var sequence: UInt64 = 0
        var alertWatermark: Int64
        var nextSubscriber = 0
        var subscribers: [Int: (run: String?, continuation: AsyncStream<Item>.Continuation)] = [:]
        var finished = false
    }

    /// Token distinguishing this instance's cursors from another process's.
    let instance: String
    private let state: Mutex<State>
    private let bufferSize: Int

    init(capacity: Int, alertWatermark: Int64 = 0, instance: String = EventHub.newInstanceToken(), bufferSize: Int = 1024) {
        self.instance = instance
        self.bufferSize = bufferSize
        state = Mutex(State(ring: EventRing(capacity: capacity), alertWatermark: alertWatermark))
    }

    static func newInstanceToken() -> String {
        String(UInt32.random(in: 0x1000_0000...UInt32.max), radix: 36)
    }

    /// Raises the alert watermark to at least `id` (the store's newest alert at start).
    func noteStoredAlert(id: Int64) {
        state.withLock { $0.alertWatermark = max($0.alertWatermark, id) }
    }

    var current: EventCursor {
        state.withLock { EventCursor(instance: instance, sequence: $0.sequence, alert: $0.alertWatermark) }
    }

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Numbers, keeps and delivers one monitor event; returns it (nil for an empty batch).
    @discardableResult
    func publish(_ event: MonitorEvent) -> LiveEvent? {
        guard let (name, data, alertID) = EventPayloads.encode(event) else { return nil }
        let (live, targets) = state.withLock { s -> (LiveEvent, [AsyncStream<Item>.Continuation]) in
            s.sequence += 1
            if let alertID { s.alertWatermark = max(s.alertWatermark, alertID) }
            let live = LiveEvent(name: name, run: event.run, sequence: s.sequence, alertWatermark: s.alertWatermark,
                                 alertID: alertID, data: data)
            s.ring.append(live)
            let targets = s.subscribers.values.filter { $0.run == nil || $0.run == live.run }.map(\.continuation)
            return (live, targets)
        }
        for continuation in targets { continuation.yield(.event(live)) }
        return live
    }

    /// Registers a subscriber (optionally to one run) resuming after `cursor`.
    func subscribe(run: String?, after cursor: EventCursor?) -> Subscription {
        let (stream, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .bufferingNewest(max(bufferSize, 1)))
        let (id, start, current, finished) = state.withLock { s -> (Int, Start, EventCursor, Bool) in
            s.nextSubscriber += 1
            let current = EventCursor(instance: instance, sequence: s.sequence, alert: s.alertWatermark)
            var start = Start.replay([])
            if let cursor {
                if cursor.instance == instance, let kept = s.ring.events(after: cursor.sequence, lastSequence: s.sequence) {
                    start = .replay(kept.filter { run == nil || $0.run == run })
                } else {
                    start = .resync(afterAlert: cursor.alert)
                }
            }
            if !s.finished { s.subscribers[s.nextSubscriber] = (run, continuation) }
            return (s.nextSubscriber, start, current, s.finished)
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        if finished { continuation.finish() }
        return Subscription(start: start, stream: stream, continuation: continuation, current: current)
    }

    /// Ends every subscriber's stream (shutdown); later subscribers end at once.
    func finish() {
        let targets = state.withLock { s -> [AsyncStream<Item>.Continuation] in
            s.finished = true
            defer { s.subscribers = [:] }
            return s.subscribers.values.map(\.continuation)
        }
        for continuation in targets { continuation.finish() }
    }
}
