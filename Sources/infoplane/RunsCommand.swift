import ArgumentParser
import Foundation
import InfoplaneAPI

/// `infoplane runs`: the runs the daemon knows.
struct RunsCommand: RouteReportCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List the runs (GET /v1/runs).")
    static let path = "/v1/runs"

    @OptionGroup var options: RouteReportOptions

    func report(_ body: APIRunList) {
        if body.runs.isEmpty { print("no runs yet"); return }
        print(TextTable.render(header: ["RUN", "CLIENT", "CREATED", "LAST SEEN"], rows: body.runs.map {
            [$0.name, $0.client, APITime.string($0.createdAt), APITime.string($0.lastSeenAt)]
        }))
    }
}

/// Left-aligned columns separated by two spaces.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
