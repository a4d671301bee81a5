import Foundation
import Hummingbird
import InfoplaneAPI

extension HTTPAPI {
    func addOperationalRoutes(to router: Router<APIRequestContext>) {
        router.get("/healthz") { _, _ in
            let snapshot = await status()
            var runs: Int?
            var storeError: String?
            do { runs = try await store.runCount() } catch { storeError = "\(error)" }
            let body = APIHealth(snapshot, runs: runs, storeError: storeError, sseClients: hub.subscriberCount)
            return EditedResponse(status: body.status == .ok ? .ok : .serviceUnavailable, response: body)
        }
        router.get("/metrics") { _, _ in
            metrics.refresh(from: await status(), sseClients: hub.subscriberCount)
            return TextResponse.make(metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}
