import Foundation
import InfoplaneClient
import InfoplaneDaemon
import InfoplaneHTTP
import InfoplaneServer
import InfoplaneTestSupport
import ServiceLifecycle
import Testing

/// The service graph `infoplaned` runs, built in process from a configuration.
@Suite struct DaemonWiringTests {
    /// A configuration on a socket in a fresh temporary directory, HTTP off.
    func configuration(sink: String) -> (DaemonConfiguration, URL) {
        let directory = DaemonProcess.temporaryDirectory("dw")
        var configuration = DaemonConfiguration()
        configuration.ingest.socketPath = directory.appendingPathComponent("s.sock").path
        configuration.stateDirectory = directory.appendingPathComponent("state").path
        configuration.http = nil
        configuration.sink = sink
        return (configuration, directory)
    }

    @Test func theCountingSinkNeedsNoStore() async throws {
        let (configuration, directory) = configuration(sink: "counting")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try await Daemon(configuration: configuration)
        #expect(daemon.counting != nil && daemon.pipeline == nil && daemon.httpService == nil)
        // The ingest server, its descriptor watch and the systemd notifier.
        #expect(daemon.services.count == 3)
        #expect(daemon.listeners == [.unix(path: configuration.ingest.socketPath!, mode: 0o660)])
        #expect(!FileManager.default.fileExists(atPath: configuration.stateDirectory), "nothing opened yet")
    }

    @Test func theMonitorSinkOpensTheStoreAndHoldsTheStateDirectory() async throws {
        var (configuration, directory) = configuration(sink: "monitor")
        defer { try? FileManager.default.removeItem(at: directory) }
        configuration.http = HTTPConfiguration(host: "127.0.0.1", port: 0)
        let daemon = try await Daemon(configuration: configuration)
        #expect(daemon.pipeline != nil && daemon.counting == nil && daemon.httpService != nil)
        // HTTP first (stopped last), the pipeline, retention, ingest, descriptor watch, notifier.
        #expect(daemon.services.count == 6)
        #expect(FileManager.default.fileExists(atPath: configuration.stateDirectory + "/infoplane.sqlite"))
        await #expect(throws: DaemonStartError.self) {
            _ = try await Daemon(configuration: configuration)
        }
        withExtendedLifetime(daemon) {}
    }

    @Test func nothingToListenOnIsRefused() async throws {
        var (configuration, directory) = configuration(sink: "counting")
        defer { try? FileManager.default.removeItem(at: directory) }
        configuration.ingest.socketPath = nil
        await #expect(throws: DaemonStartError.nothingToListenOn) {
            _ = try await Daemon(configuration: configuration)
        }
        #expect(DaemonStartError.nothingToListenOn.exitStatus == 2)
    }

    @Test func runsServesASessionAndStopsGracefully() async throws {
        var (configuration, directory) = configuration(sink: "counting")
        defer { try? FileManager.default.removeItem(at: directory) }
        configuration.sinkReportPath = directory.appendingPathComponent("report.json").path
        let daemon = try await Daemon(configuration: configuration)
        let group = daemon.makeServiceGroup(gracefulShutdownSignals: [])
        // The services (and the session they serve) run on threads of their own: the client
        // waits for its answers, which must not wait for the shared pool other tests hold.
        let running = Task(executorPreference: DedicatedExecutor.timedTests) { try await group.run() }
        var listening = daemon.server.listeningAddresses.makeAsyncIterator()
        _ = await listening.next()

        let socket = configuration.ingest.socketPath!
        try await BlockingWorkers.run {
            let session = try InfoplaneSession(address: socket)
            try session.hello(run: "wired")
            try session.send(snapshot: SnapshotFactory.snapshot(step: 1))
            try session.drain()
            try session.goodbye()
        }
        await group.triggerGracefulShutdown()
        try await running.value
        try await daemon.writeSinkReport()

        #expect(await daemon.counting?.totalChunks == 1)
        #expect(daemon.statistics.values.snapshotsAccepted == 1)
        let report = try JSONDecoder().decode(SinkReportFile.self,
                                              from: Data(contentsOf: URL(fileURLWithPath: configuration.sinkReportPath!)))
        #expect(report.runs == ["wired"])
        #expect(report.tallies.map(\.rows) == [8])
    }
}
