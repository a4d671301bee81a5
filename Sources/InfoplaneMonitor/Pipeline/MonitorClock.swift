import Foundation

/// The pipeline's only source of time: `now` in seconds on a monotonic scale, and a way to
/// wait. Tests inject a manual clock; the daemon uses `.system`.
public struct MonitorClock: Sendable {
    public var now: @Sendable () -> Double
    public var sleep: @Sendable (Double) async throws -> Void
    /// Calendar time, for alert records and the alert engine's time-based rules.
    public var wallTime: @Sendable () -> Date

    /// `wallTime` defaults to `now` seconds after the Unix epoch (for manual test clocks).
    public init(now: @escaping @Sendable () -> Double, sleep: @escaping @Sendable (Double) async throws -> Void,
                wallTime: (@Sendable () -> Date)? = nil) {
        self.now = now
        self.sleep = sleep
        self.wallTime = wallTime ?? { Date(timeIntervalSince1970: now()) }
    }

    /// The continuous (monotonic) clock of the process, counted from when this was made.
    public static var system: MonitorClock {
        let clock = ContinuousClock()
        let origin = clock.now
        return MonitorClock(
            now: {
                let d = origin.duration(to: clock.now).components
                return Double(d.seconds) + Double(d.attoseconds) * 1e-18
            },
            sleep: { seconds in try await clock.sleep(for: .milliseconds(Int64(max(seconds, 0) * 1000))) },
            wallTime: { Date() }
        )
    }
}
