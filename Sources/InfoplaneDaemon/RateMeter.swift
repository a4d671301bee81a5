import Foundation
import NIOConcurrencyHelpers

/// Turns a growing total into a rate per second between successive calls.
final class RateMeter: Sendable {
    private let state = NIOLockedValueBox<(total: Int, time: Date)>((0, Date()))

    func update(total: Int) -> Double {
        state.withLockedValue { s in
            let now = Date()
            let dt = now.timeIntervalSince(s.time)
            let rate = dt > 0 ? Double(total - s.total) / dt : 0
            s = (total, now)
            return rate
        }
    }
}
