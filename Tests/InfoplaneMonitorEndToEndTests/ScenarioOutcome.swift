import Foundation
import InfoplaneClient
import InfoplaneProtocol
import InfoplaneTestSupport

/// What a scenario run through the daemon left behind: the run's stored points and alerts,
/// and what its client received.
struct ScenarioOutcome: Sendable {
    var points: [StoreReader.Point]
    var storedAlerts: [StoreReader.Alert]
    var receivedAlerts: [Infoplane_V1_Alert]
    var errors: [Infoplane_V1_Error]

    func series(layer: String, metric: String, split: String = "probe") -> [Double] {
        points.filter { $0.layer == layer && $0.metric == metric && $0.split == split }
            .sorted { $0.step < $1.step }.map(\.value)
    }

    var storedSummary: String { storedAlerts.map { "\($0.kind) \($0.layer) @\($0.step): \($0.message)" }.joined(separator: "\n") }
}

extension MonitorDaemon {
    /// Runs one client session on its own thread: Hello as `run`, `send`, wait until the
    /// store holds points satisfying `stored` (every frame estimated), let the alerts of the
    /// last frames settle, read the stored alerts, keep receiving until the client has as
    /// many, then Goodbye.
    func scenario(run: String, timeout: Double = 90,
                  send: @escaping @Sendable (InfoplaneSession) throws -> Void,
                  stored: @escaping @Sendable ([StoreReader.Point]) -> Bool) async throws -> ScenarioOutcome {
        try await BlockingWorkers.run { [self] in
            let session = try InfoplaneSession(address: socketPath)
            try session.hello(run: run)
            try send(session)
            try session.drain()
            let interval = session.welcome.heartbeatIntervalMs > 0 ? Double(session.welcome.heartbeatIntervalMs) / 1000 : 5
            let points = try waitForStore(timeout: timeout, read: { try $0.points(run: run) }, until: stored,
                                          keepAlive: { try session.heartbeat() }, keepAliveSeconds: interval)
            usleep(1_000_000)
            let alerts = try store.alerts(run: run)
            try session.receive(until: { session.alerts.count >= alerts.count }, timeout: 10)
            try session.goodbye()
            return ScenarioOutcome(points: points, storedAlerts: alerts, receivedAlerts: session.alerts, errors: session.errors)
        }
    }

    /// `scenario` for a run of `evaluations` evaluations at steps 0, 1, …: `evaluation(s, i)`
    /// sends evaluation i, and the store is read until `lastStepStored` holds for the
    /// points of the last step.
    func scenario(run: String, evaluations: Int, timeout: Double = 90,
                  evaluation: @escaping @Sendable (InfoplaneSession, Int) throws -> Void,
                  lastStepStored: @escaping @Sendable ([StoreReader.Point]) -> Bool) async throws -> ScenarioOutcome {
        let lastStep = Int64(evaluations - 1)
        return try await scenario(run: run, timeout: timeout, send: { session in
            for i in 0..<evaluations { try evaluation(session, i) }
        }, stored: { points in lastStepStored(points.filter { $0.step == lastStep }) })
    }
}
