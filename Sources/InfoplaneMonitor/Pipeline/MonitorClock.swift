/// The pipeline's only source of time: `now` in seconds on a monotonic scale, and a way to
/// wait. Tests inject a manual clock; the daemon uses `.system`.
public struct MonitorClock: Sendable {
    public var now: @Sendable () -> Double
    public var sleep: @Sendable (Double) async throws -> Void

    public init(now: @escaping @Sendable () -> Double, sleep: @escaping @Sendable (Double) async throws -> Void) {
        self.now = now
        self.sleep = sleep
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
            sleep: { seconds in try await clock.sleep(for: .milliseconds(Int64(max(seconds, 0) * 1000))) }
        )
    }
}
