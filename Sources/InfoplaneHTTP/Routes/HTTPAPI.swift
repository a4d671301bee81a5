import Foundation
import Hummingbird
import InfoplaneMonitor
import Logging

/// The routes of the HTTP side and what they need. `HTTPService` runs them; tests can
/// drive `router()` directly (HummingbirdTesting).
struct HTTPAPI: Sendable {
    let store: any SeriesStore
    let hub: EventHub
    let metrics: InfoplaneMetrics
    let status: @Sendable () async -> DaemonStatusSnapshot
    let keepAliveSeconds: Double
    let logger: Logger
    /// nil when the daemon runs no monitoring pipeline.
    var control: PipelineControl? = nil

    func router() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: JSONErrorMiddleware(logger: logger))
        router.add(middleware: MetricsMiddleware())
        addDashboardRoutes(to: router)
        addRunRoutes(to: router)
        addAlertRoutes(to: router)
        addEventRoutes(to: router)
        addOperationalRoutes(to: router)
        addControlRoutes(to: router)
        return router
    }

    /// The run of `{run}`, or a 404 naming it.
    func requireRun(_ context: APIRequestContext) async throws -> RunRecord {
        let name = try context.runParameter()
        guard let run = try await store.run(named: name) else { throw APIError.unknownRun(name) }
        return run
    }
}
