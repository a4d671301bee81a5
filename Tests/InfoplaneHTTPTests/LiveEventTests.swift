import Foundation
@testable import InfoplaneHTTP
import InfoplaneMonitor
import InfoplaneTestSupport
import Logging
import Testing

/// `/v1/events` on a real listening `HTTPService`: delivery within a second, resumption
/// from `Last-Event-ID` out of the ring, and from the store once the ring has moved on.
/// The service and the tests run on threads of their own (`DedicatedExecutor`): they time
/// delivery, which must not wait for the shared pool the tests beside them may hold.
@Suite
struct LiveEventTests {
    struct Running {
        let service: HTTPService
        let task: Task<Void, any Error>
        let address: String
    }

    func start(_ known: KnownRun, events: MonitorEvents, ring: Int = 16) async throws -> Running {
        let service = HTTPService(configuration: HTTPConfiguration(host: "127.0.0.1", port: 0, eventRingCapacity: ring),
                                  store: known.store, events: events,
                                  status: { DaemonStatusSnapshot(version: "test", startedAt: Date()) }, logger: Logger(label: "test"))
        let task = Task(executorPreference: DedicatedExecutor.timedTests) { try await service.run() }
        var bound = service.boundAddress.makeAsyncIterator()
        guard let address = await bound.next() else { throw TestFailure("the service did not bind") }
        let deadline = Date().addingTimeInterval(5)
        while events.subscriberCount == 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        return Running(service: service, task: task, address: address)
    }

    func point(step: Int64, value: Double) -> SeriesPoint {
        SeriesPoint(series: SeriesID(run: KnownRun.run, layer: "L1", split: .probe, metric: .inputInformation, estimator: .binning),
                step: step, value: value, unit: .bits, sampleCount: 4096, dimension: 12, seconds: 0.01)
    }

    func alert(_ known: KnownRun, step: Int64) async throws -> AlertRecord {
        try await known.store.appendAlert(AlertRecord(run: KnownRun.run, layer: "L1", kind: .representationCollapse, severity: .critical,
                                                      step: step, message: "DSE of L1 collapsed at step \(step)", evidenceJSON: "{}"))
    }

    @Test func deliversPointsAndAlertsWithinASecondAndResumes() async throws {
        try await DedicatedExecutor.timedTests.run {
            let known = try await KnownRun()
            let events = MonitorEvents()
            let running = try await start(known, events: events)
            defer { running.task.cancel() }
            let address = running.address

            let first = try SSEConnection(address: address, path: "/v1/events")
            let hello = try await BlockingWorkers.run { try first.next(timeout: 5) }
            #expect(hello.name == "hello")

            // A point, timed from publication to arrival.
            let published = Date()
            events.publish(.points([point(step: 50, value: 1.25)]))
            let pointEvent = try await BlockingWorkers.run { try first.next(timeout: 1) }
            #expect(Date().timeIntervalSince(published) < 1)
            #expect(pointEvent.name == "points")
            let payload = try json(pointEvent.data)
            #expect(payload["run"] as? String == KnownRun.run && payload["step"] as? Int == 50)
            #expect(((payload["points"] as? [[String: Any]])?.first?["value"] as? Double) == 1.25)

            // An alert, stored then published as the pipeline does.
            let stored = try await alert(known, step: 50)
            let alertPublished = Date()
            events.publish(.alert(stored))
            let alertEvent = try await BlockingWorkers.run { try first.next(timeout: 1) }
            #expect(Date().timeIntervalSince(alertPublished) < 1)
            #expect(alertEvent.name == "alert")
            #expect(try json(alertEvent.data)["id"] as? Int == Int(stored.id!))
            #expect(try json(alertEvent.data)["kind"] as? String == "representation_collapse")
            first.close()

            // While disconnected: two more events. Resuming after the point replays the alert and both.
            let missedAlert = try await alert(known, step: 60)
            events.publish(.points([point(step: 60, value: 1.5)]))
            events.publish(.alert(missedAlert))
            try await Task.sleep(for: .milliseconds(100))
            let resumed = try SSEConnection(address: address, path: "/v1/events", lastEventID: pointEvent.id)
            let replay = try await BlockingWorkers.run { try resumed.events(3, timeout: 2) }
            #expect(replay.map(\.name) == ["alert", "points", "alert"])
            #expect(replay[0].id == alertEvent.id, "the same ids as the first delivery")
            #expect(try json(replay[2].data)["id"] as? Int == Int(missedAlert.id!))
            // ...then live again.
            events.publish(.points([point(step: 70, value: 1.75)]))
            let live = try await BlockingWorkers.run { try resumed.next(timeout: 1) }
            #expect(try live.name == "points" && (try json(live.data)["step"] as? Int) == 70)
            resumed.close()

            // Resuming from the last id gives nothing old twice.
            let again = try SSEConnection(address: address, path: "/v1/events", lastEventID: live.id)
            events.publish(.points([point(step: 80, value: 2)]))
            let next = try await BlockingWorkers.run { try again.next(timeout: 1) }
            #expect(try next.name == "points" && (try json(next.data)["step"] as? Int) == 80)
            again.close()
        }
    }

    @Test func resumesFromTheStoreWhenTheRingHasMovedOn() async throws {
        try await DedicatedExecutor.timedTests.run {
            let known = try await KnownRun()
            let events = MonitorEvents()
            let running = try await start(known, events: events, ring: 16)
            defer { running.task.cancel() }

            let client = try SSEConnection(address: running.address, path: "/v1/events?run=\(KnownRun.run)")
            _ = try await BlockingWorkers.run { try client.next(timeout: 5) }  // hello
            events.publish(.points([point(step: 1, value: 1)]))
            let seen = try await BlockingWorkers.run { try client.next(timeout: 1) }
            client.close()

            // 20 newer events push the seen one out of the 16-event ring; one of them an alert.
            let missed = try await alert(known, step: 2)
            events.publish(.alert(missed))
            for step in 3..<23 { events.publish(.points([point(step: Int64(step), value: 1)])) }
            try await Task.sleep(for: .milliseconds(100))

            let resumed = try SSEConnection(address: running.address, path: "/v1/events?run=\(KnownRun.run)", lastEventID: seen.id)
            let got = try await BlockingWorkers.run { try resumed.events(2, timeout: 2) }
            #expect(got[0].name == "resync")
            #expect(try got[1].name == "alert" && (try json(got[1].data)["id"] as? Int) == Int(missed.id!),
                    "the stored alerts after the cursor's alert watermark (KnownRun's two came before it)")
            resumed.close()

            // A cursor of another daemon instance (a restart) resyncs from its alert watermark.
            let firstKnown = try await known.store.alerts(run: KnownRun.run, afterID: nil)[0].id!
            let foreign = try SSEConnection(address: running.address, path: "/v1/events", lastEventID: "zzzzzz.5.\(firstKnown)")
            let fromStore = try await BlockingWorkers.run { try foreign.events(3, timeout: 2) }
            #expect(fromStore.map(\.name) == ["resync", "alert", "alert"])
            #expect(fromStore.dropFirst().compactMap { try? json($0.data)["kind"] as? String } == ["overfitting", "representation_collapse"])
            foreign.close()
        }
    }
}
