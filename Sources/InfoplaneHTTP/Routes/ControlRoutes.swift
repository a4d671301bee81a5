import Foundation
import Hummingbird
import InfoplaneAPI
import InfoplaneMonitor

/// What the HTTP side may ask of the monitoring pipeline.
public struct PipelineControl: Sendable {
    /// Forget the run's compression bases (one layer, or all when nil): the next complete
    /// frame fits new ones.
    public var refitCompression: @Sendable (_ run: String, _ layer: String?) async -> Void

    public init(refitCompression: @escaping @Sendable (_ run: String, _ layer: String?) async -> Void) {
        self.refitCompression = refitCompression
    }
}

extension HTTPAPI {
    /// `POST /v1/runs/{run}/refit[?layer=]`: refit the run's PCA / random-projection bases
    /// (all layers, or one) on its next complete frame. 202 with what was requested; 404 for
    /// an unknown run; 503 when the daemon runs no monitoring pipeline.
    func addControlRoutes(to router: Router<APIRequestContext>) {
        router.post("/v1/runs/:run/refit") { request, context in
            let query = try QueryParameters(request, allowed: ["layer"])
            let run = try await requireRun(context)
            guard let control else {
                throw APIError(.serviceUnavailable, "this daemon runs no monitoring pipeline (daemon.sink is not \"monitor\"); nothing to refit")
            }
            let layer = query.string("layer")
            await control.refitCompression(run.name, layer)
            logger.info("compression refit requested over HTTP", metadata: ["run": "\(run.name)", "layer": "\(layer ?? "*")"])
            let body = APIRefit(run: run.name, layer: layer, status: "the next complete frame fits new compression bases")
            return EditedResponse(status: .accepted, response: body)
        }
    }
}
