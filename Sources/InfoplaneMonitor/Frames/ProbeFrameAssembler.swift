import InfoplaneEstimators

/// Gathers the snapshots of each (run, step, split) — inputs X, labels Y and every watched
/// layer T, possibly in chunks and in any order — into aligned `ProbeFrame`s.
///
/// A pure value: no clock of its own (callers pass `now`, a duration on any monotonic
/// scale), no I/O. The monitor pipeline owns one inside its actor.
///
/// Rules:
/// - **Completion.** A frame completes when `frameLayerCount` layers are present and every
///   announced chunk of each has come. With `frameLayerCount` 0 (unknown) it completes when
///   the next step of the same run and split starts, or when it has gone quiet for the
///   timeout, provided every layer present is whole; otherwise it is treated as incomplete.
/// - **Timeout.** A frame that received no chunk for `frameTimeout` (checked by
///   `expire(now:)`) is finalised by `incompletePolicy`: estimated on what came (`.partial`,
///   rows = ids common to every layer that came) or dropped. Counted either way.
/// - **Alignment.** The first layer to come whole fixes the frame's sample ids. A chunk
///   carrying an id outside them is refused with `.frameMisaligned` (the chunk alone; the
///   layer's other chunks stay). A layer that comes whole with fewer ids, or whose earlier
///   chunks already hold foreign ids when the reference is fixed, is discarded from the
///   frame (counted in `layersMisaligned`) and its chunks refused with `.frameMisaligned`.
///   Permuted ids are fine: rows are reordered to ascending id order.
/// - **Duplicates.** A chunk repeated with identical ids and values is ignored (idempotent:
///   a client retrying after a lost ack is harmless), counted in `chunksDuplicate`. The
///   same chunk index with different contents is refused with `.badChunk`. A chunk of a
///   frame already finalised (one of the last `finishedFramesRemembered` per run) is
///   ignored and counted in `chunksLate`.
/// - **Memory.** At most `maxFramesInFlightPerRun` frames of one run are assembled at once;
///   starting another drops the oldest pending one (reason `.assemblyLimit`).
struct ProbeFrameAssembler: Sendable {
    var configuration: AssemblyConfiguration
    private(set) var counters = AssemblyCounters()
    /// Chunks binned as they were recorded (see `accept(_:now:binned:)`).
    private(set) var chunksBinned = 0
    private var pending: [FrameKey: PendingFrame] = [:]
    private var finished: [String: [FrameKey]] = [:]
    private var finishedSet: Set<FrameKey> = []
    private var sequence = 0
    /// Values held by the frames being assembled, per run and in total (kept as frames
    /// change, for the memory budget).
    private var valuesHeld: [String: Int] = [:]
    private var valuesHeldTotal = 0

    init(configuration: AssemblyConfiguration = AssemblyConfiguration()) {
        self.configuration = configuration
    }

    /// Frames being assembled, all runs.
    var framesInFlight: Int { pending.count }
    /// Frames of one run being assembled.
    func framesInFlight(run: String) -> Int { pending.keys.count { $0.run == run } }
    /// Values held by frames being assembled (the assembler's memory, in values).
    var valuesInFlight: Int { valuesHeldTotal }
    /// Keys of the frames being assembled, in ascending order.
    var pendingKeys: [FrameKey] { pending.keys.sorted() }

    /// Takes one snapshot (chunk). Returns the frames this finished, in order. Throws a
    /// `SnapshotRejection` (and keeps nothing of the chunk) when it cannot be used.
    ///
    /// `binned`: the chunk's rows binned with its run's fixed bins (`BinnedRows(chunk:edges:)`,
    /// computed by the caller away from the assembler; nil when the run's bins depend on the
    /// data): the frame's layer carries those rows (`FrameLayer.binned`) when every chunk of
    /// it came binned.
    mutating func accept(_ snapshot: ProbeSnapshot, now: Duration,
                                binned: BinnedRows? = nil) throws(SnapshotRejection) -> [AssemblyEvent] {
        do {
            return try add(snapshot, now: now, binned: binned)
        } catch {
            counters.chunksRejected += 1
            throw error
        }
    }

    /// Finalises the frames that went quiet for the timeout.
    mutating func expire(now: Duration) -> [AssemblyEvent] {
        let stale = pending.values
            .filter { now - $0.lastActivity >= configuration.frameTimeout }
            .sorted { $0.sequence < $1.sequence }
        return stale.map { finalize($0.key, forced: true) }
    }

    /// Finalises every frame of `run` now (session ended or shutting down): whole frames
    /// complete, the others follow `incompletePolicy`.
    mutating func flush(run: String) -> [AssemblyEvent] {
        pending.values.filter { $0.key.run == run }.sorted { $0.sequence < $1.sequence }
            .map { finalize($0.key, forced: true) }
    }

    /// Finalises every frame of every run.
    mutating func flushAll() -> [AssemblyEvent] {
        pending.values.sorted { $0.sequence < $1.sequence }.map { finalize($0.key, forced: true) }
    }

    // MARK: - Adding a chunk

    private mutating func add(_ s: ProbeSnapshot, now: Duration, binned: BinnedRows?) throws(SnapshotRejection) -> [AssemblyEvent] {
        let key = FrameKey(s)
        if finishedSet.contains(key) {
            counters.chunksLate += 1
            return []
        }
        let isNew = pending[key] == nil
        sequence += isNew ? 1 : 0
        var frame = pending[key] ?? PendingFrame(key: key, epoch: s.epoch, sequence: sequence,
                                                 layerCount: s.frameLayerCount, now: now)
        let limit = configuration.maxLayersPerFrame
        if s.frameLayerCount > limit || (frame.layers[s.layer] == nil && frame.layers.count >= limit) {
            if isNew { sequence -= 1 }
            throw SnapshotRejection(.tooManyLayers, "frame at step \(s.step) would have more than \(limit) layers (assembly.max_layers_per_frame); watch fewer layers, or raise the daemon's limit")
        }
        let incoming = s.values.count * Self.bytesPerValue
        let runHeld = (valuesHeld[key.run] ?? 0) * Self.bytesPerValue
        if runHeld + incoming > configuration.maxAssemblingBytesPerRun || valuesHeldTotal * Self.bytesPerValue + incoming > configuration.maxAssemblingBytes {
            if isNew { sequence -= 1 }
            let which = runHeld + incoming > configuration.maxAssemblingBytesPerRun
                ? "assembly.max_assembling_bytes_per_run = \(configuration.maxAssemblingBytesPerRun), \(runHeld) held by run \"\(key.run)\""
                : "assembly.max_assembling_bytes = \(configuration.maxAssemblingBytes), \(valuesHeldTotal * Self.bytesPerValue) held by all runs"
            throw SnapshotRejection(.memoryBudgetExceeded, "\(what(s)) (\(incoming) bytes of values) would pass the memory budget of frames being assembled (\(which)); the chunk was not accepted: complete the frames in progress, send fewer or smaller layers, or retry when they are estimated")
        }
        let valuesBefore = frame.valueCount
        // The frame leaves `pending` while it changes, so that `frame` holds the only
        // reference to its layers: changing a copy that `pending` still shared copied every
        // layer of the frame (O(layers) per chunk, ingest quadratic in the layers of a frame:
        // 20,000 layers took 20 s). Every path below puts it back.
        pending[key] = nil
        let added: Bool
        do {
            added = try Self.add(s, to: &frame, counters: &counters, binned: binned, chunksBinned: &chunksBinned)
        } catch {
            // A refused chunk leaves a new frame uncreated; an existing frame keeps what
            // the refusal changed (a layer discarded for misalignment).
            if !isNew {
                pending[key] = frame
                hold(key.run, frame.valueCount - valuesBefore)
            }
            throw error
        }
        if !added {
            pending[key] = frame
            hold(key.run, frame.valueCount - valuesBefore)
            counters.chunksDuplicate += 1
            return []
        }
        frame.lastActivity = now
        counters.chunksAccepted += 1
        pending[key] = frame
        hold(key.run, frame.valueCount - valuesBefore)

        var events: [AssemblyEvent] = []
        if isNew {
            events += finishPredecessors(of: key)
            events += enforceInFlightLimit(run: key.run, keeping: key)
        }
        if pending[key]?.isComplete == true {
            events.append(finalize(key, forced: false))
        }
        return events
    }

    /// Adds the chunk to the frame. Returns false for an identical duplicate. Throws without
    /// changing `frame` unless a layer is discarded for misalignment (then the frame keeps
    /// that change and the chunk is refused).
    ///
    /// O(rows of the chunk): the checks read the layer where it is, and the chunk is recorded
    /// in place (`PendingFrame.record`), so no layer or frame is copied.
    private static func add(_ s: ProbeSnapshot, to frame: inout PendingFrame, counters: inout AssemblyCounters,
                            binned: BinnedRows?, chunksBinned: inout Int) throws(SnapshotRejection) -> Bool {
        guard try check(s, against: frame) else { return false }
        if frame.record(s, binned: binned) { chunksBinned += 1 }

        guard frame.layers[s.layer]?.isComplete == true else { return true }
        if let reference = frame.referenceIDs {
            let ids = frame.layers[s.layer]?.chunkOfID.count ?? 0
            if ids != reference.count {
                let message = "layer \(s.layer) at step \(s.step) (\(s.split.rawValue)) came whole with \(ids) sample ids, layer \(frame.referenceLayer ?? "?") with \(reference.count); the layer is left out of the frame. Send every layer of a frame for the same samples"
                frame.discardLayer(s.layer, because: message)
                counters.layersMisaligned += 1
                throw SnapshotRejection(.frameMisaligned, message)
            }
        } else {
            let reference = frame.layers[s.layer].map { Set($0.chunkOfID.keys) } ?? []
            frame.referenceIDs = reference
            frame.referenceLayer = s.layer
            // Once per frame. Names first: discarding while iterating would copy the layers.
            var foreign: [(layer: String, id: Int64)] = []
            for (name, other) in frame.layers where name != s.layer && other.misalignment == nil {
                if let id = other.chunkOfID.keys.first(where: { !reference.contains($0) }) { foreign.append((name, id)) }
            }
            for (name, id) in foreign.sorted(by: { $0.layer < $1.layer }) {
                frame.discardLayer(name, because: "layer \(name) at step \(s.step) (\(s.split.rawValue)) holds sample id \(id), which layer \(s.layer) does not; the layer is left out of the frame. Send every layer of a frame for the same samples")
                counters.layersMisaligned += 1
            }
        }
        return true
    }

    /// The checks of `add` before anything changes: throws when the chunk is refused, returns
    /// false for an identical duplicate. Reads the frame without copying it.
    private static func check(_ s: ProbeSnapshot, against frame: PendingFrame) throws(SnapshotRejection) -> Bool {
        let what = "layer \(s.layer) at step \(s.step) (\(s.split.rawValue))"
        if s.frameLayerCount > 0 && frame.layerCount > 0 && s.frameLayerCount != frame.layerCount {
            throw SnapshotRejection(.badChunk, "\(what) announces \(s.frameLayerCount) layers but the frame's earlier snapshots announced \(frame.layerCount); send the same frame_layer_count with every snapshot of a step")
        }
        if let layer = frame.layers[s.layer] {
            if let message = layer.misalignment {
                throw SnapshotRejection(.frameMisaligned, message)
            }
            guard layer.role == s.role, layer.columns == s.columns, layer.chunkCount == s.chunkCount else {
                throw SnapshotRejection(.badChunk, "chunk \(s.chunkIndex) of \(what) disagrees with the layer's earlier chunks (role \(s.role.rawValue)/\(layer.role.rawValue), columns \(s.columns)/\(layer.columns), chunk count \(s.chunkCount)/\(layer.chunkCount)); every chunk of a layer must share them")
            }
            if let previous = layer.chunks[s.chunkIndex] {
                if previous.sampleIDs == s.sampleIDs && previous.values == s.values { return false }
                throw SnapshotRejection(.badChunk, "chunk \(s.chunkIndex) of \(what) was sent twice with different contents; resend a chunk only unchanged")
            }
            for id in s.sampleIDs {
                if let other = layer.chunkOfID[id] {
                    throw SnapshotRejection(.badChunk, "sample id \(id) of \(what) appears in chunks \(other) and \(s.chunkIndex); the chunks of a layer must hold disjoint rows")
                }
            }
        } else {
            let limit = max(frame.layerCount, s.frameLayerCount)
            if limit > 0 && frame.layers.count >= limit {
                throw SnapshotRejection(.badChunk, "\(what) would be layer \(frame.layers.count + 1) of a frame announced with \(limit) layers; count every layer (inputs and labels included) in frame_layer_count")
            }
        }
        if let reference = frame.referenceIDs, let foreign = s.sampleIDs.first(where: { !reference.contains($0) }) {
            throw SnapshotRejection(.frameMisaligned, "sample id \(foreign) of \(what) is not among the \(reference.count) ids of layer \(frame.referenceLayer ?? "?"); every layer of a frame must carry the same sample ids")
        }
        return true
    }

    // MARK: - Finishing frames

    /// With an unknown layer count, a new step of the same run and split completes the
    /// earlier frames whose present layers are whole.
    private mutating func finishPredecessors(of key: FrameKey) -> [AssemblyEvent] {
        pending.values
            .filter { $0.key.stream == key.stream && $0.key.step < key.step && $0.layerCount == 0 && $0.presentLayersComplete }
            .sorted { $0.sequence < $1.sequence }
            .map { finalize($0.key, forced: false) }
    }

    private mutating func enforceInFlightLimit(run: String, keeping key: FrameKey) -> [AssemblyEvent] {
        var events: [AssemblyEvent] = []
        let limit = max(configuration.maxFramesInFlightPerRun, 1)
        while framesInFlight(run: run) > limit {
            guard let oldest = pending.values.filter({ $0.key.run == run && $0.key != key })
                .min(by: { $0.sequence < $1.sequence }) else { break }
            pending[oldest.key] = nil
            hold(run, -oldest.valueCount)
            remember(oldest.key)
            counters.framesDroppedAssemblyLimit += 1
            events.append(.dropped(oldest.key, .assemblyLimit))
        }
        return events
    }

    /// Removes the frame and reports it: completed when whole (or, unknown count, all present
    /// layers whole and `forced`/next step), otherwise by policy.
    private mutating func finalize(_ key: FrameKey, forced: Bool) -> AssemblyEvent {
        guard let frame = pending.removeValue(forKey: key) else { return .dropped(key, .unusable) }
        hold(key.run, -frame.valueCount)
        remember(key)
        let whole = frame.isComplete || (frame.layerCount == 0 && frame.presentLayersComplete)
        if whole, let built = frame.assemble(partial: false), built.rows == frame.referenceIDs?.count {
            counters.framesCompleted += 1
            return .completed(built)
        }
        if configuration.incompletePolicy == .drop {
            counters.framesDroppedTimeout += 1
            return .dropped(key, .timeout)
        }
        guard let built = frame.assemble(partial: true), !built.watchedLayers.isEmpty else {
            counters.framesDroppedUnusable += 1
            return .dropped(key, .unusable)
        }
        counters.framesPartial += 1
        return .partial(built)
    }

    /// Memory charged per value held (F32).
    static let bytesPerValue = 4

    private func what(_ s: ProbeSnapshot) -> String { "chunk \(s.chunkIndex) of layer \(s.layer) at step \(s.step)" }

    private mutating func hold(_ run: String, _ values: Int) {
        guard values != 0 else { return }
        valuesHeldTotal += values
        let left = (valuesHeld[run] ?? 0) + values
        valuesHeld[run] = left > 0 ? left : nil
    }

    private mutating func remember(_ key: FrameKey) {
        finishedSet.insert(key)
        finished[key.run, default: []].append(key)
        let limit = max(configuration.finishedFramesRemembered, 0)
        while let list = finished[key.run], list.count > limit {
            finishedSet.remove(list[0])
            finished[key.run]?.removeFirst()
        }
    }
}
