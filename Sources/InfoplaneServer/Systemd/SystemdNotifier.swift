import CSystemd
import Foundation
import Logging
import ServiceLifecycle

/// Talks to systemd's service manager through sd_notify(3): `READY=1` once the ingest
/// server listens, `STATUS=` with live figures every few seconds, `WATCHDOG=1` at half of
/// `WATCHDOG_USEC` when the unit sets `WatchdogSec=`, `STOPPING=1` when shutdown begins.
///
/// Without `NOTIFY_SOCKET` (not started by systemd) every call is a no-op, as sd_notify is.
public struct SystemdNotifier: Service {
    private let ready: AsyncStream<[String]>
    private let statusInterval: Duration
    private let status: @Sendable () async -> String
    private let logger: Logger

    /// - Parameters:
    ///   - ready: yields once when the daemon is ready to serve (the bound addresses); when
    ///     it finishes without yielding, nothing is sent and the notifier waits for the
    ///     shutdown the failing listener causes.
    ///   - status: the live status line.
    public init(ready: AsyncStream<[String]>, statusInterval: Duration = .seconds(5),
                status: @escaping @Sendable () async -> String, logger: Logger) {
        self.ready = ready
        self.statusInterval = statusInterval
        self.status = status
        self.logger = logger
    }

    /// Whether the process was started with a notification socket.
    public static var isSupervised: Bool { ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil }

    /// Sends one notification; returns false when there was nowhere to send it.
    @discardableResult
    public static func notify(_ state: String) -> Bool {
        sd_notify(0, state) > 0
    }

    /// The watchdog interval the service manager expects, if any.
    public static var watchdogInterval: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }

    public func run() async throws {
        let ready = await self.ready.cancelOnGracefulShutdown().first { _ in true }
        guard let addresses = ready, !Task.isShuttingDownGracefully, !Task.isCancelled else {
            // No addresses: a listener failed and its service is stopping the daemon with its
            // own error. Never READY=1, and do not return before that error arrives: a service
            // that returns on its own first would become the error the group reports
            // ("finished unexpectedly") in place of the one that says what to do.
            try? await gracefulShutdown()
            return
        }
        let sent = Self.notify("READY=1\nSTATUS=listening on \(addresses.joined(separator: ", "))\nMAINPID=\(getpid())")
        logger.info("ready", metadata: ["addresses": "\(addresses)", "notified_systemd": "\(sent)"])

        let watchdog = Self.watchdogInterval.map { $0 / 2 }
        if let watchdog { logger.info("watchdog enabled", metadata: ["ping_every": "\(watchdog)"]) }
        let tick = min(statusInterval, watchdog ?? statusInterval)
        let clock = ContinuousClock()
        await withGracefulShutdownHandler {
            try? await cancelWhenGracefulShutdown {
                var nextStatus = clock.now
                while !Task.isCancelled {
                    if watchdog != nil { Self.notify("WATCHDOG=1") }
                    if clock.now >= nextStatus {
                        Self.notify("STATUS=" + (await status()))
                        nextStatus = clock.now.advanced(by: statusInterval)
                    }
                    try await Task.sleep(for: tick)
                }
            }
        } onGracefulShutdown: {
            Self.notify("STOPPING=1\nSTATUS=stopping: finishing in-flight messages")
        }
    }
}
