import Foundation
import Testing
@testable import InfoplaneMonitor

@Suite struct ClientStalledAlertRuleTests {
    /// A run that sends a frame (a burst of 5 messages 10 ms apart) every 10 s, `frames` times.
    func sendFrames(_ engine: inout AlertEngine, run: String = "run", frames: Int, from start: Double = 0) -> Double {
        var t = start
        for f in 0..<frames {
            for m in 0..<5 {
                engine.recordActivity(run: run, step: Int64(f), at: alertEpoch.addingTimeInterval(t + Double(m) * 0.01))
            }
            t += 10
        }
        return t - 10 + 0.04 // time of the last message
    }

    /// Ticks every second from `from` to `to`; returns what fired, with the tick time.
    func tick(_ engine: inout AlertEngine, from: Double, to: Double) -> [(Double, AlertRecord)] {
        var fired: [(Double, AlertRecord)] = []
        var t = from
        while t <= to {
            fired += engine.tick(now: alertEpoch.addingTimeInterval(t)).map { (t, $0) }
            t += 1
        }
        return fired
    }

    @Test func aSilentRunFiresOnceAfterFiveIntervals() throws {
        var engine = AlertEngine()
        let last = sendFrames(&engine, frames: 10)
        let fired = tick(&engine, from: last, to: last + 300)
        try #require(fired.count == 1)
        let (when, alert) = fired[0]
        #expect(alert.kind == .clientStalled && alert.run == "run" && alert.layer == "")
        #expect(alert.step == 9)
        // Expected interval ~9.96 s (between bursts), factor 5: ~50 s of silence.
        #expect(when - last >= 49 && when - last <= 51)
        let evidence = try decodeAlertEvidence(ClientStalledEvidence.self, alert)
        #expect(abs(evidence.expectedIntervalSeconds - 9.96) < 0.01)
        #expect(evidence.recentIntervalsSeconds.count == 9)
        #expect(alert.time == alertEpoch.addingTimeInterval(when))
    }

    @Test func resumingRearmsAndASecondSilenceFiresAgain() {
        var engine = AlertEngine()
        let last = sendFrames(&engine, frames: 10)
        #expect(tick(&engine, from: last, to: last + 100).count == 1)
        let resumed = sendFrames(&engine, frames: 3, from: last + 100)
        #expect(tick(&engine, from: resumed, to: resumed + 300).count == 1)
    }

    @Test func minimumSilenceProtectsFastRuns() {
        // A frame every 0.5 s... in bursts 2 s apart: 5 x 2 s = 10 s < the 30 s minimum.
        var engine = AlertEngine()
        for i in 0..<20 { engine.recordActivity(run: "fast", at: alertEpoch.addingTimeInterval(Double(i) * 2)) }
        let fired = tick(&engine, from: 38, to: 100)
        #expect(fired.count == 1)
        #expect(fired.first.map { $0.0 - 38 >= 30 } == true)
    }

    @Test func runsThatNeverEstablishedACadenceOrSaidGoodbyeDoNotFire() {
        var engine = AlertEngine()
        // Two intervals only: not yet "sending".
        for i in 0..<3 { engine.recordActivity(run: "new", at: alertEpoch.addingTimeInterval(Double(i) * 10)) }
        // A run that ended cleanly.
        let last = sendFrames(&engine, run: "done", frames: 10)
        engine.runEnded("done", at: alertEpoch.addingTimeInterval(last))
        #expect(tick(&engine, from: last, to: last + 1000).isEmpty)
    }

    @Test func aSteadyJitteredRunNeverFires() {
        // No minimum silence, so only the cadence protects; ticks just before every arrival.
        var thresholds = AlertThresholds()
        thresholds.clientStalled.minSilenceSeconds = 0
        var engine = AlertEngine(thresholds: thresholds)
        var fired: [AlertRecord] = []
        var noise = AlertTestNoise(seed: 1)
        var t = 0.0
        for step in 0..<200 {
            let gap = max(1.5, 10 + 3 * noise.gaussian()) // jittered 10 s cadence
            fired += engine.tick(now: alertEpoch.addingTimeInterval(t + gap - 0.01))
            t += gap
            engine.recordActivity(run: "steady", step: Int64(step), at: alertEpoch.addingTimeInterval(t))
        }
        #expect(fired.isEmpty)
        // Control: the same engine does fire once the run really goes quiet.
        #expect(!engine.tick(now: alertEpoch.addingTimeInterval(t + 200)).isEmpty)
    }
}
