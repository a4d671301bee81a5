import InfoplaneMonitor

/// An in-memory sink that counts what arrived per run, layer, split and step, with a
/// checksum of the values: `infoplaned --sink counting` (tests, the conformance check) and
/// `--sink discard` (benchmarks) use it instead of the monitoring pipeline.
public actor CountingSnapshotSink: SnapshotSink {
    public struct Key: Hashable, Sendable, Comparable {
        public var run: String
        public var layer: String
        public var split: ProbeSplit
        public var step: Int64

        public static func < (a: Key, b: Key) -> Bool {
            (a.run, a.layer, a.split.rawValue, a.step) < (b.run, b.layer, b.split.rawValue, b.step)
        }
    }

    public struct Tally: Sendable, Equatable {
        /// Snapshot messages (chunks) received.
        public var chunks = 0
        /// Rows received over all chunks.
        public var rows = 0
        /// Values received over all chunks.
        public var values = 0
        /// Sum over chunks of the FNV-1a hash of each row's (sample id, value bits),
        /// independent of chunking and row order.
        public var checksum: UInt64 = 0
    }

    public private(set) var tallies: [Key: Tally] = [:]
    public private(set) var scalars: [ScalarRecord] = []
    public private(set) var runs: [String: RunDescriptor] = [:]
    public private(set) var endedSessions = 0
    /// When false, checksums are not computed (left 0): counts only, for measuring the
    /// ingest path without the cost of hashing every value (`--sink discard`).
    public let computesChecksums: Bool

    public init(computesChecksums: Bool = true) {
        self.computesChecksums = computesChecksums
    }

    public func runStarted(_ run: RunDescriptor) async throws -> String {
        runs[run.name] = run
        return "run-" + run.name
    }

    public func accept(_ snapshot: ProbeSnapshot) async throws {
        let key = Key(run: snapshot.run, layer: snapshot.layer, split: snapshot.split, step: snapshot.step)
        var tally = tallies[key] ?? Tally()
        tally.chunks += 1
        tally.rows += snapshot.rows
        tally.values += snapshot.values.count
        if computesChecksums { tally.checksum &+= Self.checksum(snapshot) }
        tallies[key] = tally
    }

    public func accept(_ scalars: ScalarRecord) async throws {
        self.scalars.append(scalars)
    }

    public func sessionEnded(run: String, clean: Bool) async {
        endedSessions += 1
    }

    /// Total snapshot messages (chunks) received.
    public var totalChunks: Int { tallies.values.reduce(0) { $0 + $1.chunks } }

    /// Order-independent checksum of a snapshot's rows: sum of FNV-1a over each row's
    /// sample id and the bit patterns of its values.
    public static func checksum(_ snapshot: ProbeSnapshot) -> UInt64 {
        var sum: UInt64 = 0
        let c = snapshot.columns
        for (r, id) in snapshot.sampleIDs.enumerated() {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            func mix(_ x: UInt64) {
                var x = x
                for _ in 0..<8 { h = (h ^ (x & 0xff)) &* 0x100_0000_01b3; x >>= 8 }
            }
            mix(UInt64(bitPattern: id))
            switch snapshot.values {
            case .floats(let v): for j in 0..<c { mix(UInt64(v[r * c + j].bitPattern)) }
            case .float32Bytes(let v): for j in 0..<c { mix(UInt64(v[r * c + j].bitPattern)) }
            case .integers(let v): for j in 0..<c { mix(UInt64(bitPattern: v[r * c + j])) }
            }
            sum &+= h
        }
        return sum
    }
}
