import Foundation
import Hummingbird
import InfoplaneAPI
import InfoplaneMonitor

extension HTTPAPI {
    func addAlertRoutes(to router: Router<APIRequestContext>) {
        router.get("/v1/alerts") { request, _ in
            let query = try QueryParameters(request, allowed: ["run", "since", "after_id", "kind"])
            let run = query.string("run")
            if let run, try await store.run(named: run) == nil { throw APIError.unknownRun(run) }
            let since = try query.date("since")
            let afterID = try query.int64("after_id")
            var kind: AlertKind?
            if let text = query.string("kind") {
                guard let k = AlertKind(rawValue: text) else {
                    throw APIError.badQuery("kind must be one of \(AlertKind.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
                }
                kind = k
            }
            let alerts = try await store.alerts(run: run, afterID: afterID).filter { alert in
                (since == nil || alert.time >= since!) && (kind == nil || alert.kind == kind)
            }
            return APIAlertList(alerts: alerts.map(APIAlert.init))
        }
    }
}
