import Foundation
import Logging

/// Frames between assembly and estimation: admitted to the `FrameBacklog`, saved to the
/// `WaitingFrameStore`, handed to the scheduler in step order a few at a time per run, and
/// removed from the store once their points are stored. See `FrameBacklog` for the budget.
extension MonitorPipeline {
    /// Admits an assembled frame: saves it (the snapshot that completed it is acknowledged
    /// after this returns) and feeds the run's next frames to the scheduler.
    func admit(_ frame: ProbeFrame) async {
        let key = frame.key
        guard !backlog.contains(key) else {
            logger.notice("frame already waiting; the repeated one is ignored", metadata: [
                "run": "\(key.run)", "step": "\(key.step)", "split": "\(key.split.rawValue)",
            ])
            return
        }
        if frame.partial {
            logger.notice("estimating a partial frame", metadata: [
                "run": "\(key.run)", "step": "\(key.step)", "split": "\(key.split.rawValue)",
                "rows": "\(frame.rows)", "layers": "\(frame.layers.map(\.name).joined(separator: ","))",
            ])
        }
        let encoded = await Self.encode(frame)
        let bytes = (try? encoded.get().count) ?? frame.storedValueBytes
        switch backlog.admit(key, bytes: bytes, frame: frame) {
        case let .refused(thinned, stride):
            await removeThinned(thinned, run: key.run, stride: stride)
            thinnedOut(key, stride: stride, bytes: bytes)
            return
        case let .admitted(thinned, newStride):
            if let newStride {
                logger.warning("waiting frames over budget: only steps that are multiples of the stride are kept", metadata: [
                    "run": "\(key.run)", "stride": "\(newStride)", "frames_removed": "\(thinned.count)",
                    "bytes_waiting_run": "\(backlog.runs[key.run]?.bytes ?? 0)", "bytes_waiting": "\(backlog.totalBytes)",
                    "max_bytes_per_run": "\(backlog.maxBytesPerRun)", "max_bytes": "\(backlog.maxBytes)",
                ])
            }
            await removeThinned(thinned, run: key.run, stride: newStride ?? 1)
        }
        backlog.setSaving(key, true)
        do {
            let bytes = try encoded.get()
            try await waitingFrames.saveWaitingFrame(WaitingFrame(key: key, runOptions: runOptions[key.run] ?? [:], bytes: bytes))
            backlog.setSaving(key, false, saved: true)
            counters.waitingFramesSaved += 1
        } catch {
            backlog.setSaving(key, false, saved: false)
            counters.waitingFramesNotSaved += 1
            logger.error("saving a waiting frame failed: it is kept in memory and estimated, but lost if the daemon stops first", metadata: [
                "run": "\(key.run)", "step": "\(key.step)", "split": "\(key.split.rawValue)", "bytes": "\(bytes)",
                "error": "\(error)",
            ])
        }
        backlog.releaseMemory(run: key.run)
        await feedScheduler(run: key.run)
    }

    /// Hands the run's next waiting frames to the scheduler, reading them from the store
    /// when they are no longer in memory. One feed per run at a time, so the scheduler gets
    /// them in step order.
    func feedScheduler(run: String) async {
        guard !estimationStopped, !feedingRuns.contains(run) else { return }
        feedingRuns.insert(run)
        defer { feedingRuns.remove(run) }
        while !estimationStopped, let entry = backlog.takeNext(run: run) {
            var frame = entry.frame
            if frame == nil {
                do {
                    frame = try await readWaitingFrame(entry.key)
                } catch {
                    counters.waitingFramesUnreadable += 1
                    logger.error("a waiting frame cannot be read back; it is skipped", metadata: [
                        "run": "\(run)", "step": "\(entry.key.step)", "split": "\(entry.key.split.rawValue)",
                        "error": "\(error)",
                    ])
                    await frameLeftBacklog(entry.key, estimated: false, removeFromStore: true)
                    continue
                }
            }
            let settings = runSettings[run] ?? resumedRunSettings[run]
                ?? RunSettings(compression: configuration.compression, estimation: configuration.estimation)
            scheduler.enqueue(frame!, settings: settings, now: clock.now)
            wakeWorkers()
        }
    }

    /// Reads a frame back from the store; learns its run's settings from it when the run
    /// has not said Hello since the daemon started.
    private func readWaitingFrame(_ key: FrameKey) async throws -> ProbeFrame {
        guard let stored = try await waitingFrames.waitingFrame(key) else {
            throw FrameDecodingError(reason: "not in the waiting-frame store")
        }
        if runSettings[key.run] == nil && resumedRunSettings[key.run] == nil {
            do {
                resumedRunSettings[key.run] = try RunSettings(options: stored.runOptions, defaults: configuration)
            } catch {
                logger.warning("a waiting frame's run options are no longer valid; its run is estimated with the defaults", metadata: [
                    "run": "\(key.run)", "error": "\(error)",
                ])
            }
        }
        return try await Self.decode(stored.bytes).get()
    }

    /// A frame left the backlog: its points are stored (`estimated`), given up, or it could
    /// not be read. Removes it from the store when asked and feeds the run's next frame.
    func frameLeftBacklog(_ key: FrameKey, estimated: Bool, removeFromStore: Bool) async {
        if backlog.contains(key), backlog.finish(key, estimated: estimated) {
            logger.notice("waiting frames caught up: every frame is kept again", metadata: ["run": "\(key.run)"])
        }
        if removeFromStore {
            do {
                try await waitingFrames.removeWaitingFrames([key])
            } catch {
                logger.warning("removing an estimated frame from the waiting-frame store failed; it will be estimated again after a restart", metadata: [
                    "run": "\(key.run)", "step": "\(key.step)", "error": "\(error)",
                ])
            }
        }
        await feedScheduler(run: key.run)
        endRunIfDone(key.run)
        signalIfDrained()
    }

    /// Loads what the waiting-frame store kept from before (a restart, or a stop past the
    /// shutdown grace) and estimates it, each run in step order, before or beside new frames.
    /// The daemon calls it once, before ingest starts. Returns how many frames it found.
    @discardableResult
    public func resumeWaitingFrames() async throws -> Int {
        let sizes = try await waitingFrames.waitingFrameSizes()
        guard !sizes.isEmpty else { return 0 }
        // Each run's frames in step order (the order the backlog hands them out in anyway).
        let keys = sizes.keys.sorted { ($0.run, $0.step, $0.split.rawValue) < ($1.run, $1.step, $1.split.rawValue) }
        var refused: [FrameKey] = []
        for key in keys {
            switch backlog.admit(key, bytes: sizes[key]!, frame: nil, saved: true) {
            case let .admitted(thinned, _):
                refused += thinned
            case let .refused(thinned, _):
                refused += thinned + [key]
            }
        }
        if !refused.isEmpty {
            counters.framesThinned += refused.count
            try await waitingFrames.removeWaitingFrames(refused)
        }
        counters.waitingFramesResumed += keys.count - refused.count
        let runs = Set(keys.map(\.run)).sorted()
        logger.notice("resuming the estimation of frames kept from before", metadata: [
            "frames": "\(keys.count - refused.count)", "runs": "\(runs.joined(separator: ","))",
            "bytes": "\(backlog.totalBytes)", "thinned": "\(refused.count)",
        ])
        for run in runs {
            try await restoreAlertState(run: run)
            await feedScheduler(run: run)
        }
        return keys.count - refused.count
    }

    /// Removes frames the thinning took out of the backlog.
    private func removeThinned(_ keys: [FrameKey], run: String, stride: Int64) async {
        guard !keys.isEmpty else { return }
        for key in keys { thinnedOut(key, stride: stride, bytes: nil) }
        do {
            try await waitingFrames.removeWaitingFrames(keys)
        } catch {
            logger.warning("removing thinned frames from the waiting-frame store failed", metadata: [
                "run": "\(run)", "frames": "\(keys.count)", "error": "\(error)",
            ])
        }
    }

    private func thinnedOut(_ key: FrameKey, stride: Int64, bytes: Int?) {
        counters.framesThinned += 1
        var metadata: Logger.Metadata = [
            "run": "\(key.run)", "step": "\(key.step)", "split": "\(key.split.rawValue)", "stride": "\(stride)",
            "thinned_total": "\(counters.framesThinned)",
        ]
        if let bytes { metadata["bytes"] = "\(bytes)" }
        logger.warning("frame not kept: its run's waiting frames are over budget and its step is off the thinning grid", metadata: metadata)
        events.publish(.frameDropped(key, .thinned))
    }

    @concurrent
    private nonisolated static func encode(_ frame: ProbeFrame) async -> Result<[UInt8], any Error> {
        Result { try frame.encoded() }
    }

    @concurrent
    private nonisolated static func decode(_ bytes: [UInt8]) async -> Result<ProbeFrame, any Error> {
        Result { try ProbeFrame(stored: bytes) }
    }
}
