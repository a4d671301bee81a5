/// The newest `capacity` live events, oldest first, for `Last-Event-ID` resumption.
struct EventRing: Sendable {
    let capacity: Int
    private var storage: [LiveEvent] = []
    private var head = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        storage.reserveCapacity(self.capacity)
    }

    var count: Int { storage.count }

    mutating func append(_ event: LiveEvent) {
        if storage.count < capacity {
            storage.append(event)
        } else {
            storage[head] = event
            head = (head + 1) % capacity
        }
    }

    /// Events in order, oldest first.
    var events: [LiveEvent] { Array(storage[head...] + storage[..<head]) }

    var oldestSequence: UInt64? { storage.isEmpty ? nil : storage[head].sequence }

    /// The events after `sequence`, or nil when some of them are no longer kept (the client
    /// must then be resynchronised from the store). `lastSequence` is the newest sequence
    /// ever assigned (0: none yet).
    func events(after sequence: UInt64, lastSequence: UInt64) -> [LiveEvent]? {
        if sequence >= lastSequence { return sequence == lastSequence ? [] : nil }
        guard let oldest = oldestSequence, sequence + 1 >= oldest else { return nil }
        return events.filter { $0.sequence > sequence }
    }
}
