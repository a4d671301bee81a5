import ArgumentParser
import Foundation
import InfoplaneAPI

/// `infoplane status`: is the daemon up, and what is it doing.
struct StatusCommand: RouteReportCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the daemon's health and activity (GET /healthz).")
    static let path = "/healthz"

    @OptionGroup var options: RouteReportOptions

    func report(_ h: APIHealth) {
        print("infoplaned \(h.version): \(h.status.rawValue), up \(Self.duration(h.uptimeSeconds)) (since \(APITime.string(h.startedAt)))")
        print("ingest:   \(h.ingest.listeners.joined(separator: ", ")); \(h.ingest.openConnections) open connections, \(h.ingest.snapshotsAccepted) snapshots, \(h.ingest.bytesAccepted) bytes, \(h.ingest.errorsSent) errors")
        if let p = h.pipeline {
            print("pipeline: \(p.runs) runs, \(p.workers) workers, \(p.framesEstimated) frames estimated, \(p.framesWaiting) waiting (lag \(p.maxLagSteps) steps, \(p.waitingFrameBytes) bytes), \(p.framesDropped) dropped, \(p.pointsWritten) points, \(p.alertsRaised) alerts, last frame \(String(format: "%.2f", p.lastFrameLatencySeconds)) s")
        } else {
            print("pipeline: off (counting sink)")
        }
        print("store:    \(h.runs.map { "\($0) runs" } ?? "unreadable"); live stream clients: \(h.sseClients)")
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \(s % 3600 / 60) min"
    }
}
