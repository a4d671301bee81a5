import ArgumentParser
import Foundation

/// `infoplane status`: is the daemon up, and what is it doing.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the daemon's health and activity (GET /healthz).")

    @OptionGroup var endpoint: EndpointOptions

    @Flag(help: "Print the raw JSON.")
    var json = false

    func run() async throws {
        try await reportingDaemonErrors {
            if json {
                print(String(decoding: try await endpoint.client.get("/healthz"), as: UTF8.self))
                return
            }
            let h = try await endpoint.client.get(DaemonAPI.Health.self, "/healthz")
            print("infoplaned \(h.version): \(h.status), up \(Self.duration(h.uptime_seconds)) (since \(h.started_at))")
            print("ingest:   \(h.ingest.listeners.joined(separator: ", ")); \(h.ingest.open_connections) open connections, \(h.ingest.snapshots_accepted) snapshots, \(h.ingest.bytes_accepted) bytes, \(h.ingest.errors_sent) errors")
            if let p = h.pipeline {
                print("pipeline: \(p.runs) runs, \(p.workers) workers, \(p.frames_estimated) frames estimated, \(p.frames_dropped) dropped, queue \(p.queue_depth), \(p.points_written) points, \(p.alerts_raised) alerts, last frame \(String(format: "%.2f", p.last_frame_latency_seconds)) s")
            } else {
                print("pipeline: off (counting sink)")
            }
            print("store:    \(h.runs.map { "\($0) runs" } ?? "unreadable"); live stream clients: \(h.sse_clients)")
        }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \(s % 3600 / 60) min"
    }
}
