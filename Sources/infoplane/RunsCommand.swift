import ArgumentParser
import Foundation

/// `infoplane runs`: the runs the daemon knows.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List the runs (GET /v1/runs).")

    @OptionGroup var endpoint: EndpointOptions

    @Flag(help: "Print the raw JSON.")
    var json = false

    func run() async throws {
        try await reportingDaemonErrors {
            if json {
                print(String(decoding: try await endpoint.client.get("/v1/runs"), as: UTF8.self))
                return
            }
            let runs = try await endpoint.client.get(DaemonAPI.Runs.self, "/v1/runs").runs
            if runs.isEmpty { print("no runs yet"); return }
            print(TextTable.render(header: ["RUN", "CLIENT", "CREATED", "LAST SEEN"],
                                   rows: runs.map { [$0.name, $0.client, $0.created_at, $0.last_seen_at] }))
        }
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
