import Synchronization

/// Something the pipeline produced, as published to in-process subscribers (the HTTP live
/// stream, the ingest server that forwards alerts to the run's client).
public enum MonitorEvent: Sendable, Equatable {
    /// The points of one estimated frame, as stored.
    case points([SeriesPoint])
    /// Scalars as stored.
    case scalars(ScalarRecord)
    /// A new alert, as stored (with its id).
    case alert(AlertRecord)
    /// A frame discarded without estimation.
    case frameDropped(FrameKey, FrameDropReason)

    /// The run the event belongs to.
    public var run: String {
        switch self {
        case .points(let p): return p.first?.run ?? ""
        case .scalars(let s): return s.run
        case .alert(let a): return a.run
        case .frameDropped(let k, _): return k.run
        }
    }
}

/// A broadcaster of `MonitorEvent`s to any number of `AsyncStream` subscribers. Publishing
/// never waits: each subscriber has a bounded buffer keeping its newest events, so a slow
/// subscriber loses old events rather than slowing the pipeline or growing its memory.
public final class MonitorEvents: Sendable {
    private struct State {
        var next = 0
        var continuations: [Int: AsyncStream<MonitorEvent>.Continuation] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    /// A stream of every event published from now on, buffering at most `bufferSize`
    /// undelivered events (oldest dropped first). Ends when the broadcaster finishes or the
    /// subscriber stops iterating.
    public func subscribe(bufferSize: Int = 1024) -> AsyncStream<MonitorEvent> {
        let (stream, continuation) = AsyncStream<MonitorEvent>.makeStream(bufferingPolicy: .bufferingNewest(max(bufferSize, 1)))
        let id = state.withLock { state in
            state.next += 1
            state.continuations[state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    public func publish(_ event: MonitorEvent) {
        let targets = state.withLock { Array($0.continuations.values) }
        for continuation in targets { continuation.yield(event) }
    }

    public var subscriberCount: Int { state.withLock { $0.continuations.count } }

    /// Ends every subscriber's stream.
    public func finish() {
        let targets = state.withLock { state in
            defer { state.continuations = [:] }
            return Array(state.continuations.values)
        }
        for continuation in targets { continuation.finish() }
    }
}
