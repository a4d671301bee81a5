import Foundation
import Hummingbird

extension HTTPAPI {
    func addOperationalRoutes(to router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in
            let snapshot = await status()
            var runs: Int?
            var storeError: String?
            do { runs = try await store.runCount() } catch { storeError = "\(error)" }
            let body = HealthJSON(snapshot, runs: runs, storeError: storeError, sseClients: hub.subscriberCount)
            return try JSONResponse.make(body, status: body.status == "ok" ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            metrics.refresh(from: await status(), sseClients: hub.subscriberCount)
            return JSONResponse.text(metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}
