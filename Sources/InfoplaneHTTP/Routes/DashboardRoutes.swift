import Hummingbird

extension HTTPAPI {
    /// The dashboard: one page, its script and style, all compiled into the binary.
    func addDashboardRoutes(to router: Router<APIRequestContext>) {
        router.get("/") { _, _ in
            TextResponse.make(DashboardAssets.page, contentType: "text/html; charset=utf-8")
        }
        router.get("/dashboard.js") { _, _ in
            TextResponse.make(DashboardAssets.script, contentType: "text/javascript; charset=utf-8")
        }
        router.get("/dashboard.css") { _, _ in
            TextResponse.make(DashboardAssets.style, contentType: "text/css; charset=utf-8")
        }
    }
}
