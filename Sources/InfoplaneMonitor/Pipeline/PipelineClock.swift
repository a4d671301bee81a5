import Foundation

/// The pipeline's time: a Swift `Clock` (`ContinuousClock` in the daemon, a manual clock in
/// tests) read as the `Duration` since the pipeline started, and the calendar time stamped
/// on what is stored (alerts) and fed to the alert engine's time-based rules.
struct PipelineClock: Sendable {
    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void
    private let calendar: @Sendable () -> Date

    /// `wallTime` nil: the clock's time after the Unix epoch (a manual clock's calendar).
    init<C: Clock>(_ clock: C, wallTime: (@Sendable () -> Date)?) where C.Duration == Duration {
        let origin = clock.now
        let elapsed: @Sendable () -> Duration = { origin.duration(to: clock.now) }
        self.elapsed = elapsed
        self.sleeper = { try await clock.sleep(for: $0) }
        self.calendar = wallTime ?? { Date(timeIntervalSince1970: elapsed().inSeconds) }
    }

    /// Time since the pipeline started.
    var now: Duration { elapsed() }

    func sleep(for duration: Duration) async throws {
        try await sleeper(duration)
    }

    var wallTime: Date { calendar() }
}

extension Duration {
    /// The duration in seconds, as stored and shown (counters, logs, points).
    public var inSeconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) * 1e-18
    }

    /// `seconds` as a duration; negative or NaN is zero, too large is the largest duration.
    public static func seconds(clamping seconds: Double) -> Duration {
        guard seconds > 0 else { return .zero }
        guard seconds < Double(Int64.max) else { return .seconds(Int64.max) }
        return .seconds(seconds)
    }
}
