import Foundation
import Logging

extension MonitorPipeline {
    /// A run that said Goodbye keeps its alert-rule state until the frames it sent before
    /// are estimated and stored (estimation can run minutes behind training: dropping the
    /// state at Goodbye fed those frames' points to empty rules — no training accuracy, no
    /// history). Then its state is dropped and no more alerts about it are raised.
    func endRunIfDone(_ run: String) {
        guard endingRuns.contains(run), framesStoringByRun[run] == nil, backlog.isEmpty(run: run),
              !scheduler.jobs.values.contains(where: { $0.frame.key.run == run }) else { return }
        endingRuns.remove(run)
        alertEngine.runEnded(run, at: clock.wallTime)
        alertStateRuns.remove(run)
    }

    /// Stores, logs and publishes alerts.
    func raise(_ alerts: [AlertRecord]) async {
        for alert in alerts {
            do {
                let stored = try await store.appendAlert(alert)
                storeWriteSucceeded()
                counters.alertsRaised += 1
                logger.warning("\(stored.message)", metadata: [
                    "alert": "\(stored.kind.rawValue)", "run": "\(stored.run)", "layer": "\(stored.layer)",
                    "kind": "\(stored.kind.rawValue)", "step": "\(stored.step)", "severity": "\(stored.severity.rawValue)",
                ])
                events.publish(.alert(stored))
            } catch {
                if let failure = StoreFailure(error, operation: "a \(alert.kind.rawValue) alert of run '\(alert.run)'") {
                    storeWriteFailed(failure)
                } else {
                    counters.storeErrors += 1
                }
                logger.error("storing an alert failed; it is lost", metadata: [
                    "run": "\(alert.run)", "kind": "\(alert.kind.rawValue)", "error": "\(error)",
                ])
            }
        }
    }

    /// Alerts the engine raises on a frame's estimates.
    func alertsFor(points: [SeriesPoint]) -> [AlertRecord] {
        alertEngine.observe(points, at: clock.wallTime)
    }

    /// Alerts the engine raises on new scalars.
    func alertsFor(scalars: ScalarRecord) -> [AlertRecord] {
        alertEngine.observe(scalars, at: clock.wallTime)
    }
}
