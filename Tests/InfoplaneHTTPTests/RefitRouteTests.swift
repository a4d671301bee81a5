import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import InfoplaneHTTP
import InfoplaneMonitor
import InfoplaneTestSupport
import Synchronization
import Testing

/// `POST /v1/runs/{run}/refit`: asks the pipeline to refit a run's compression bases.
@Suite struct RefitRouteTests {
    final class Requests: Sendable {
        let calls = Mutex<[String]>([])
        var control: PipelineControl {
            PipelineControl(refitCompression: { run, layer in self.calls.withLock { $0.append("\(run)/\(layer ?? "*")") } })
        }
    }

    @Test func refitIsPassedToThePipelineAndAnswered202() async throws {
        let known = try await KnownRun()
        let requests = Requests()
        try await withRouter(store: known.store, control: requests.control) { client, _ in
            try await client.execute(uri: "/v1/runs/\(KnownRun.run)/refit?layer=L5", method: .post) { response in
                #expect(response.status == .accepted)
                let body = try json(String(buffer: response.body))
                #expect(body["run"] as? String == KnownRun.run && body["layer"] as? String == "L5")
            }
            try await client.execute(uri: "/v1/runs/\(KnownRun.run)/refit", method: .post) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(uri: "/v1/runs/nope/refit", method: .post) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("no run named 'nope'"))
            }
            try await client.execute(uri: "/v1/runs/\(KnownRun.run)/refit?lair=L5", method: .post) { response in
                #expect(response.status == .badRequest)
            }
        }
        #expect(requests.calls.withLock { $0 } == ["\(KnownRun.run)/L5", "\(KnownRun.run)/*"])
    }

    @Test func withoutAPipelineItIs503() async throws {
        let known = try await KnownRun()
        try await withRouter(store: known.store) { client, _ in
            try await client.execute(uri: "/v1/runs/\(KnownRun.run)/refit", method: .post) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }

    @Test func theLiveDaemonRefits() async throws {
        let daemon = try await LiveDaemon()
        var request = URLRequest(url: URL(string: "\(daemon.endpoint)/v1/runs/\(KnownRun.run)/refit?layer=L5")!)
        request.httpMethod = "POST"
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 202)
        // The pipeline itself (logger infoplane.monitor) took the request.
        func pipelineLine() -> Bool {
            daemon.process.log.split(separator: "\n").contains { $0.contains("infoplane.monitor") && $0.contains("compression refit requested") && $0.contains("L5") }
        }
        let deadline = Date().addingTimeInterval(5)
        while !pipelineLine(), Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(pipelineLine(), "\(daemon.process.log.suffix(2000))")
        #expect(try daemon.process.stop() == 0)
    }
}
