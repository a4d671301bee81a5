// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Infoplane",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "infoplaned", targets: ["infoplaned"]),
        .executable(name: "infoplane", targets: ["infoplane"]),
        // The only library product: the Swift targets are internal to the package (the
        // estimators and the stream copy are built with optimisation flags of their own).
        .library(name: "CInfoplaneClient", targets: ["CInfoplaneClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // System libraries
        .systemLibrary(name: "CLAPACK", path: "Sources/CLAPACK", pkgConfig: "lapacke",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        .systemLibrary(name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd",
                       providers: [.apt(["libsystemd-dev"])]),

        // Pure math, no I/O. Not a product: a package with unsafe flags cannot be depended on.
        // Optimised even in debug builds: the kNN and kernel loops are 20-50x slower at -Onone,
        // which would make `make test` (N = 4000 ground-truth tests) take minutes.
        .target(name: "InfoplaneEstimators", dependencies: ["CLAPACK"],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),

        // Streaming (non-temporal) copy for assembling large frames; see its header.
        .target(name: "CStreamingCopy", path: "Sources/CStreamingCopy",
                cSettings: [.unsafeFlags(["-O2"])]),

        // Wire protocol: generated swift-protobuf code + frame codec.
        .target(name: "InfoplaneProtocol", dependencies: [
            "CStreamingCopy",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),

        // The domain: runs, probe frames, compression, scheduling, alert rules. No I/O.
        .target(name: "InfoplaneMonitor", dependencies: [
            "InfoplaneEstimators",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // SQLite time-series and alert store.
        .target(name: "InfoplaneStore", dependencies: [
            "InfoplaneMonitor",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),

        // Ingest server, systemd glue (and later HTTP).
        .target(name: "InfoplaneServer", dependencies: [
            "InfoplaneProtocol", "InfoplaneMonitor", "CSystemd",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // The HTTP API's JSON models, shared by the daemon (encoding) and its clients (decoding).
        .target(name: "InfoplaneAPI"),

        // HTTP API, live event stream (SSE), dashboard and Prometheus /metrics (Hummingbird).
        .target(name: "InfoplaneHTTP", dependencies: [
            "InfoplaneAPI", "InfoplaneMonitor",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // A small blocking Swift client (tests, load generator, conformance).
        .target(name: "InfoplaneClient", dependencies: [
            "InfoplaneProtocol",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),

        // Shared by the test targets: spawning a real daemon, temporary directories.
        .target(name: "InfoplaneTestSupport", dependencies: ["InfoplaneClient", "InfoplaneProtocol"],
                path: "Tests/InfoplaneTestSupport"),

        // The Swift sender of the conformance session (Scripts/conformance.sh).
        .executableTarget(name: "conformance-swift-client", dependencies: ["InfoplaneClient", "InfoplaneProtocol"],
                          path: "Tests/Conformance/SwiftClient"),

        // The daemon as a library: configuration decoding and the service graph (wiring).
        .target(name: "InfoplaneDaemon", dependencies: [
            "InfoplaneServer", "InfoplaneMonitor", "InfoplaneEstimators", "InfoplaneStore", "InfoplaneHTTP",
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // Its command line: flags, logging, exit status.
        .executableTarget(name: "infoplaned", dependencies: [
            "InfoplaneDaemon", "InfoplaneServer",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "infoplane", dependencies: [
            "InfoplaneAPI", "InfoplaneEstimators",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // `infoplane-bench ingest|pipeline|estimators|layers`: benchmarks, not shipped.
        .executableTarget(name: "infoplane-bench", dependencies: [
            "InfoplaneEstimators", "InfoplaneProtocol", "InfoplaneClient", "InfoplaneMonitor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Benchmarks/infoplane-bench"),

        // C client library over protobuf-c (Debian libprotobuf-c-dev); generated code committed.
        .target(name: "CInfoplaneClient", path: "Sources/CInfoplaneClient",
                cSettings: [.headerSearchPath("generated")],
                linkerSettings: [.linkedLibrary("protobuf-c")]),

        .testTarget(name: "InfoplaneProtocolTests", dependencies: ["InfoplaneProtocol"]),
        .testTarget(name: "InfoplaneEstimatorsTests", dependencies: ["InfoplaneEstimators"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "InfoplaneMonitorTests", dependencies: ["InfoplaneMonitor", "InfoplaneEstimators", "InfoplaneTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "InfoplaneStoreTests", dependencies: ["InfoplaneStore"]),
        .testTarget(name: "CInfoplaneClientTests", dependencies: ["CInfoplaneClient", "InfoplaneDaemon", "InfoplaneMonitor", "InfoplaneTestSupport"]),
        .testTarget(name: "InfoplaneDaemonTests", dependencies: [
            "InfoplaneDaemon", "InfoplaneMonitor", "InfoplaneServer", "InfoplaneHTTP", "InfoplaneClient", "InfoplaneTestSupport",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "InfoplaneHTTPTests", dependencies: [
            "InfoplaneAPI", "InfoplaneHTTP", "InfoplaneStore", "InfoplaneMonitor", "InfoplaneTestSupport", "InfoplaneClient",
            "InfoplaneProtocol",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        // The monitoring pipeline end to end: real daemon, real socket, the SQLite store read back.
        .testTarget(name: "InfoplaneMonitorEndToEndTests", dependencies: [
            "InfoplaneClient", "InfoplaneProtocol", "InfoplaneTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "InfoplaneServerTests", dependencies: [
            "InfoplaneServer", "InfoplaneProtocol", "InfoplaneClient", "InfoplaneTestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ], resources: [.copy("FuzzCorpus")]),
    ]
)
