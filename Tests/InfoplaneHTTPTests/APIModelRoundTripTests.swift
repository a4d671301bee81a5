import Foundation
import HummingbirdTesting
@testable import InfoplaneHTTP
import InfoplaneAPI
import InfoplaneMonitor
import Testing

/// Every body the routes and the live stream write decodes into its `InfoplaneAPI` model
/// with the decoder the CLI uses, and encodes back to the same bytes: the models describe
/// the whole of the wire, field for field.
@Suite struct APIModelRoundTripTests {
    /// Decodes `text` as `T` and encodes it again with the API's conventions.
    static func roundTrip<T: Codable>(_ type: T.Type, _ text: String) throws -> String {
        try APIJSON.text(try APIJSON.decode(T.self, from: Data(text.utf8)))
    }

    static func expectRoundTrip<T: Codable>(_ type: T.Type, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try roundTrip(type, text) == text, "\(T.self)", sourceLocation: sourceLocation)
    }

    @Test func routeBodiesRoundTrip() async throws {
        let known = try await KnownRun()
        _ = try await known.store.upsertRun(RunDescriptor(name: "empty", clientName: "c", metadata: ["camelCase": "kept"]))
        try await known.store.appendFrame([SeriesPoint(
            series: SeriesID(run: "odd", layer: "L", split: .train, metric: .inputInformation, estimator: .ksg1),
            step: 3, value: -1e300, unit: .nats, sampleCount: 1, dimension: 2, seconds: .leastNonzeroMagnitude,
            flags: .partialFrame)])
        var counters = PipelineCounters()
        counters.framesEstimated = 7
        counters.storeWriteFailure = StoreWriteFailure(kind: .full, message: "disk full", since: Date(), failedWrites: 1)
        let status = DaemonStatusSnapshot(version: "9.9", startedAt: Date().addingTimeInterval(-3.21), ingestListeners: ["unix:/x"],
                                          ingest: IngestFigures(openConnections: 1, snapshotsAccepted: 42), pipeline: counters)
        try await withRouter(store: known.store, status: status, control: PipelineControl(refitCompression: { _, _ in })) { client, _ in
            func body(_ uri: String) async throws -> String { try await get(client, uri).body }
            try Self.expectRoundTrip(APIRunList.self, try await body("/v1/runs"))
            for run in [KnownRun.run, "empty", "odd"] {
                try Self.expectRoundTrip(APIRunDetail.self, try await body("/v1/runs/\(run)"))
                try Self.expectRoundTrip(APISeriesList.self, try await body("/v1/runs/\(run)/series"))
                try Self.expectRoundTrip(APIScalarList.self, try await body("/v1/runs/\(run)/scalars"))
                try Self.expectRoundTrip(APIInformationPlane.self, try await body("/v1/runs/\(run)/infoplane"))
            }
            try Self.expectRoundTrip(APIAlertList.self, try await body("/v1/alerts"))
            try Self.expectRoundTrip(APIHealth.self, try await body("/healthz"))
            try Self.expectRoundTrip(APIErrorBody.self, try await body("/v1/runs/nope"))
            try Self.expectRoundTrip(APIErrorBody.self, try await body("/v1/alerts?kind=x"))
            for query in ["?layer=L2", ""] {
                try await client.execute(uri: "/v1/runs/\(KnownRun.run)/refit\(query)", method: .post) { response in
                    try Self.expectRoundTrip(APIRefit.self, String(buffer: response.body))
                }
            }
        }
        try await withRouter(store: known.store) { client, _ in
            try Self.expectRoundTrip(APIHealth.self, try await get(client, "/healthz").body)
        }
    }

    @Test func liveEventPayloadsRoundTrip() async throws {
        let known = try await KnownRun()
        let alerts = try await known.store.alerts(run: nil, afterID: nil)
        let point = SeriesPoint(
            series: SeriesID(run: "r", layer: "L1", split: .probe, metric: .inputInformation, estimator: .binning),
            step: 5, value: 1.5, unit: .bits, sampleCount: 10, dimension: 3, seconds: 0.25, flags: .partialFrame)
        let events: [MonitorEvent] = [
            .points([point, point]),
            .scalars(ScalarRecord(run: "r", step: 4, epoch: 1, split: .validation, values: ["loss": 0.5, "valAcc": .nan])),
            .alert(alerts[0]), .alert(alerts[1]),
            .frameDropped(FrameKey(run: "r", step: 9, split: .train), .assemblyLimit),
        ]
        for event in events {
            let (name, data, _) = try #require(EventPayloads.encode(event))
            switch try #require(APIEventName(rawValue: name)) {
            case .points: try Self.expectRoundTrip(APIPointsEvent.self, data)
            case .scalars: try Self.expectRoundTrip(APIScalarsEvent.self, data)
            case .alert: try Self.expectRoundTrip(APIAlert.self, data)
            case .frameDropped: try Self.expectRoundTrip(APIFrameDropped.self, data)
            case .hello, .resync: Issue.record("\(name) is not a monitor event")
            }
        }
        try Self.expectRoundTrip(APIHello.self, EventPayloads.json(APIHello(instance: "k3x9", cursor: "k3x9.4.2")))
        try Self.expectRoundTrip(APIResync.self, EventPayloads.json(APIResync(reason: "gone", alerts: 2)))
    }

    /// A time read back from the API is written again as the same text, at every millisecond.
    @Test func timesRoundTripToTheMillisecond() throws {
        for i in 0..<5_000 {
            let text = APITime.string(Date(timeIntervalSince1970: 1_795_600_000 + Double(i) * 0.001 + Double(i % 7) * 0.00037))
            #expect(APITime.string(try #require(APITime.date(text))) == text)
        }
        #expect(APITime.date("2026-11-25T13:00:00Z") != nil && APITime.date("yesterday") == nil)
    }
}

/// The plane's points carry the flags of either coordinate, so the dashboard can grey them.
@Suite struct InformationPlaneFlagTests {
    @Test func aPlanePointHasTheFlagsOfBothCoordinates() throws {
        func point(_ metric: Metric, step: Int64, flags: SeriesPointFlags) -> SeriesPoint {
            SeriesPoint(series: SeriesID(run: "r", layer: "conv", split: .probe, metric: metric, estimator: .binning),
                        step: step, value: 10, unit: .bits, sampleCount: 1024, dimension: 4096, seconds: 0, flags: flags)
        }
        let plane = APIInformationPlane(run: "r", points: [
            point(.inputInformation, step: 1, flags: .saturated), point(.labelInformation, step: 1, flags: .lowerBound),
            point(.inputInformation, step: 2, flags: []), point(.labelInformation, step: 2, flags: []),
        ])
        let points = try #require(plane.pairings.first?.layers.first?.points)
        #expect(points.map(\.flags) == [["saturated", "lower_bound"], nil])
        let encoded = String(decoding: try APIJSON.encoder().encode(points), as: UTF8.self)
        #expect(encoded.contains(#""flags":["saturated","lower_bound"]"#) && encoded.components(separatedBy: "flags").count == 2,
                "flags absent when empty: \(encoded)")
    }
}
