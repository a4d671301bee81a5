import ArgumentParser
import Foundation
import InfoplaneAPI

/// `infoplane alerts [--run R] [--follow]`: the alerts, and new ones as they happen.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "alerts", abstract: "Print alerts (GET /v1/alerts); --follow waits for new ones (GET /v1/events).")

    @OptionGroup var endpoint: EndpointOptions
    @Option(help: "Only this run's alerts.") var run: String?
    @Flag(help: "Keep running and print each new alert as it is raised.") var follow = false

    func run() async throws {
        try await reportingDaemonErrors {
            let client = endpoint.client
            let alerts = try await client.get(APIAlertList.self, "/v1/alerts", query: [("run", run)]).alerts
            for alert in alerts { print(alert.line) }
            guard follow else {
                if alerts.isEmpty { print("no alerts") }
                return
            }
            fflush(nil)  // what was printed, before waiting
            // Resume after the newest alert printed: the server sends any alert stored
            // between that listing and this subscription, then the live ones.
            let cursor = "cli.0.\(alerts.map(\.id).max() ?? 0)"
            let url = try client.url("/v1/events", query: [("run", run), ("last_event_id", cursor)])
            var printed = Set(alerts.map(\.id))
            for try await event in EventStreamReader(url: url, endpoint: endpoint.endpoint).events() where event.name == APIEventName.alert.rawValue {
                guard let alert = try? APIJSON.decode(APIAlert.self, from: Data(event.data.utf8)),
                      printed.insert(alert.id).inserted else { continue }
                FileHandle.standardOutput.write(Data((alert.line + "\n").utf8))  // unbuffered: seen at once in a pipe
            }
            throw DaemonAPIError.unreachable(endpoint: endpoint.endpoint, reason: "the event stream ended; the daemon stopped")
        }
    }
}

extension APIAlert {
    /// One line: time, severity, kind, run/layer, step, message.
    var line: String {
        let place = run + (layer.isEmpty ? "" : "/" + layer)
        return "\(APITime.string(time))  \(severity.padding(toLength: 8, withPad: " ", startingAt: 0)) \(kind)  \(place)  step \(step): \(message)"
    }
}
