import Foundation
import InfoplaneMonitor
import InfoplaneProtocol
@testable import InfoplaneServer
import InfoplaneTestSupport
import NIOCore
import NIOEmbedded
import SwiftProtobuf
import Testing

/// A seeded, in-process fuzzer over the ingest path a client's bytes take: the daemon's own
/// NIO handlers (`FrameAssemblingHandler`, `ClientMessageDecoder`) on an `EmbeddedChannel`,
/// then `SnapshotValidator` for every decoded Snapshot and Scalars (issue 13: one Snapshot
/// with shape [1, 4294967295, 4294967295] trapped the daemon on an unchecked product).
///
/// Every input is a byte stream as a client would send it, fed to the channel in pieces cut
/// at random (as a socket delivers them; every third input also whole, to compare). What
/// must hold for every input:
/// - nothing traps (a trap kills the test process: the run fails, the seed is printed first);
/// - each frame ends in a decoded message or a malformed-message report, and the stream in at
///   most one `FramingError`, after which nothing more comes out; nothing else is thrown;
/// - a decoded message equals swift-protobuf's decode of the whole frame (the values splitter
///   only moves bytes), a malformed one fails that decode with a protobuf decoding error;
/// - each Snapshot and Scalars is accepted or refused with an `IngestRefusal` other than
///   INTERNAL; an accepted snapshot is consistent (rows × columns values, all finite, one
///   distinct id per row);
/// - the outcome does not depend on how the stream was cut.
/// And over the run: every refusal code the validator has, every framing error, accepted
/// snapshots through both decode paths are all reached (a fuzzer that reaches nothing
/// fails).
///
/// Inputs: mutations of the committed corpus (`FuzzCorpus/`, written by
/// `python3 Scripts/fuzz/make_corpus.py`; the expected outcome of each file is in
/// `corpusExpectations`), and messages built with the generated protobuf types whose
/// shapes, dtypes, byte counts, chunk fields, sample ids and length prefixes are set to edge
/// values, then often byte-mutated too.
///
///     INFOPLANE_FUZZ_INPUTS=1000000 swift test --skip-build --filter FrameDecoderFuzzTests
///
/// runs the longer campaign (Documentation/operations.md, "Fuzzing the ingest path");
/// `INFOPLANE_FUZZ_SEED` sets the seed (decimal or 0x hex), `INFOPLANE_FUZZ_FIRST` the first
/// input's index (input i depends only on the seed and i), and `INFOPLANE_FUZZ_LAST_INPUT=path`
/// writes each input to `path` before running it, so that a trap leaves its input behind.
/// Inputs that break a property are written to `$TMPDIR/infoplane-fuzz-failures/`.
@Suite struct FrameDecoderFuzzTests {
    static let defaultSeed: UInt64 = 0x1AF0_F022_0013
    static let defaultInputs = 100_000

    // MARK: The campaign

    @Test func seededMutationsNeitherCrashNorLeakUntypedErrors() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["INFOPLANE_FUZZ_SEED"].flatMap(Self.parseSeed) ?? Self.defaultSeed
        let inputs = environment["INFOPLANE_FUZZ_INPUTS"].flatMap { Int($0) } ?? Self.defaultInputs
        let first = environment["INFOPLANE_FUZZ_FIRST"].flatMap { Int($0) } ?? 0
        let lastInputPath = environment["INFOPLANE_FUZZ_LAST_INPUT"]
        let corpus = try Self.loadCorpus().map(\.bytes)
        print("FrameDecoderFuzzTests: seed 0x\(String(seed, radix: 16)), inputs \(first)..<\(first + inputs) (a trap here: rerun with INFOPLANE_FUZZ_SEED=0x\(String(seed, radix: 16)) INFOPLANE_FUZZ_LAST_INPUT=/tmp/last.bin)")
        fflush(nil)

        // Off the concurrency pool: a CPU-bound loop of seconds would hold one of its threads.
        let report = try await BlockingWorkers.run {
            Campaign(seed: seed, corpus: corpus, lastInputPath: lastInputPath)
                .run(first: first, count: inputs, progressEvery: inputs > Self.defaultInputs ? 100_000 : nil)
        }
        print("FrameDecoderFuzzTests: \(report.inputs) inputs (\(report.bytes) bytes) in \(String(format: "%.1f", report.seconds)) s, \(Int(Double(report.inputs) / report.seconds)) inputs/s, \(report.failures.count) failing")
        print("FrameDecoderFuzzTests outcomes: " + report.stats.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))

        for failure in report.failures.prefix(20) {
            Issue.record(Comment(rawValue: "seed 0x\(String(seed, radix: 16)) input \(failure.index): \(failure.problem)\n  input (\(failure.input.count) bytes, cut at \(failure.cuts)) saved to \(failure.savedAt ?? "-"): \(Self.hex(failure.input.prefix(160)))"))
        }
        #expect(report.failures.count == 0, "inputs broke a property (seed 0x\(String(seed, radix: 16)))")

        // The fuzzer must reach past the framing into every refusal the validator makes.
        guard inputs >= 20_000 else { return }
        let required = [
            "snapshot", "snapshot+split", "checked-finite", "scalars", "scalars-refused", "hello", "heartbeat", "goodbye", "none", "malformed",
            "refused:shapeMismatch", "refused:sampleIdsMismatch", "refused:nonFiniteValues", "refused:badChunk",
            "refused:negativeStep", "refused:unsupportedDtype", "refused:unknownRun", "refused:invalidArgument",
            "framing:badVarint", "framing:frameTooLarge", "framing:truncatedFrame", "columns-overflow-refused",
        ]
        for key in required {
            #expect(report.stats[key, default: 0] > 0, "no input reached \(key)")
        }
        let accepted = report.stats["snapshot", default: 0] + report.stats["snapshot+split", default: 0]
        #expect(accepted * 20 >= report.inputs, "only \(accepted) accepted snapshots in \(report.inputs) inputs: the fuzzer mostly feeds junk")
    }

    @Test func theSameSeedGivesTheSameRun() async throws {
        let corpus = try Self.loadCorpus().map(\.bytes)
        let (a, b) = try await BlockingWorkers.run {
            (Campaign(seed: 7, corpus: corpus).run(first: 500, count: 1500),
             Campaign(seed: 7, corpus: corpus).run(first: 500, count: 1500))
        }
        #expect(a.failures.count == 0)
        #expect(a.stats == b.stats)
        #expect(a.bytes == b.bytes)
        let c = try await BlockingWorkers.run { Campaign(seed: 8, corpus: corpus).run(first: 500, count: 1500) }
        #expect(c.bytes != a.bytes, "another seed gives other inputs")
    }

    // MARK: The corpus, file by file

    /// What each corpus file yields, frame by frame (`Harness.summary`).
    static let corpusExpectations: [String: [String]] = [
        "hello.bin": ["hello"],
        "hello-non-minimal-prefix.bin": ["hello"],
        "snapshot-f32.bin": ["hello", "snapshot"],
        "snapshot-f32-4096-bytes-split.bin": ["hello", "snapshot+split"],
        "snapshot-f16-bf16-f64.bin": ["hello", "snapshot", "snapshot", "snapshot"],
        "labels-i32.bin": ["hello", "snapshot"],
        "scalars.bin": ["hello", "scalars"],
        "chunked-snapshot.bin": ["hello", "snapshot", "snapshot"],
        "heartbeat-goodbye.bin": ["hello", "heartbeat", "goodbye"],
        "shape-overflow.bin": ["hello", "refused:shapeMismatch"],
        "shape-zero-dimension.bin": ["hello", "refused:shapeMismatch"],
        "shape-bytes-one-short.bin": ["hello", "refused:shapeMismatch"],
        "nan-value.bin": ["hello", "refused:nonFiniteValues"],
        "repeated-sample-ids.bin": ["hello", "refused:sampleIdsMismatch"],
        "bad-chunk.bin": ["hello", "refused:badChunk"],
        "negative-step.bin": ["hello", "refused:negativeStep"],
        "unspecified-dtype.bin": ["hello", "refused:unsupportedDtype"],
        "other-run.bin": ["hello", "refused:unknownRun"],
        "scalars-infinite.bin": ["hello", "refused:nonFiniteValues"],
        // `values` twice: merged by protobuf (shape [32] + [32]), so not split.
        "repeated-values-field.bin": ["hello", "snapshot"],
        "malformed-protobuf.bin": ["hello", "malformed"],
        "unknown-field.bin": ["hello", "none"],
        "empty-message.bin": ["hello", "none"],
        "bad-varint-prefix.bin": ["hello", "framing:badVarint"],
        "frame-too-large.bin": ["hello", "framing:frameTooLarge"],
        "truncated-frame.bin": ["hello", "framing:truncatedFrame"],
    ]

    @Test(arguments: FrameDecoderFuzzTests.corpusExpectations.keys.sorted())
    func corpusFileYieldsItsOutcome(_ name: String) throws {
        let file = try #require(try Self.loadCorpus().first(where: { $0.name == name }), "\(name) is missing from FuzzCorpus/: run python3 Scripts/fuzz/make_corpus.py")
        let whole = Harness.run(file.bytes, cuts: [])
        #expect(whole.violations.isEmpty, "\(whole.violations)")
        #expect(whole.outcome.summary == Self.corpusExpectations[name], "\(name)")
        // Byte by byte, and cut in three: the same frames, the same outcome.
        let byteByByte = Harness.run(file.bytes, cuts: Array(1..<max(1, file.bytes.count)))
        #expect(byteByByte.violations.isEmpty, "\(byteByByte.violations)")
        #expect(byteByByte.outcome == whole.outcome, "\(name) fed byte by byte")
        let n = file.bytes.count
        let thirds = Harness.run(file.bytes, cuts: [n / 3, 2 * n / 3].filter { $0 > 0 && $0 < n })
        #expect(thirds.outcome == whole.outcome, "\(name) fed in three pieces")
    }

    @Test func everyCorpusFileHasAnExpectation() throws {
        let names = try Self.loadCorpus().map(\.name)
        #expect(Set(names) == Set(Self.corpusExpectations.keys), "FuzzCorpus/ and corpusExpectations differ")
    }

    /// Issue 13, item 1: the 60-byte Snapshot after a valid Hello. It used to trap the daemon
    /// ("arithmetic overflow" in SnapshotValidator); it must be refused with SHAPE_MISMATCH.
    @Test func shapeOverflowSnapshotIsRefusedWithShapeMismatch() throws {
        let file = try #require(try Self.loadCorpus().first(where: { $0.name == "shape-overflow.bin" }))
        let run = Harness.run(file.bytes, cuts: [])
        #expect(run.violations.isEmpty)
        guard run.outcome.frames.count == 2, case .refused(let code, let message) = run.outcome.frames[1] else {
            Issue.record("expected Hello and a refusal, got \(run.outcome.summary)")
            return
        }
        #expect(code == .shapeMismatch)
        #expect(message.contains("4294967295"))

        // The validator on its own, with the message the corpus holds.
        var input = ByteBuffer(bytes: file.bytes)
        var assembler = LengthPrefixedFrameAssembler()
        _ = try assembler.next(from: &input)  // Hello
        let frame = try #require(try assembler.next(from: &input))
        let snapshotMessage = try frame.withUnsafeReadableBytes { try ClientMessageDecoder.decodeClientMessage($0) }
        #expect(snapshotMessage.snapshot.values.shape == [1, 4_294_967_295, 4_294_967_295])
        do {
            _ = try SnapshotValidator(runName: Harness.runName).validate(snapshotMessage.snapshot)
            Issue.record("the shape-overflow snapshot was accepted")
        } catch {
            #expect(error.code == .shapeMismatch)
            #expect(!error.fatal)
        }
    }

    // MARK: Support

    struct CorpusFile: Sendable {
        var name: String
        var bytes: [UInt8]
    }

    static func loadCorpus() throws -> [CorpusFile] {
        let directory = try #require(Bundle.module.url(forResource: "FuzzCorpus", withExtension: nil))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".bin") }.sorted()
        return try names.map { CorpusFile(name: $0, bytes: [UInt8](try Data(contentsOf: directory.appendingPathComponent($0)))) }
    }

    static func parseSeed(_ text: String) -> UInt64? {
        text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

// MARK: - Running one input through the daemon's handlers

/// Feeds one byte stream to `FrameAssemblingHandler` → `ClientMessageDecoder` on an
/// `EmbeddedChannel`, validates what comes out, and checks the properties that must hold.
fileprivate enum Harness {
    static let runName = "fuzz"
    /// The daemon's default `max_message_bytes`.
    static let maximumFrameLength = 64 << 20

    enum FrameOutcome: Equatable {
        /// A decoded message that is not validated here: hello, heartbeat, goodbye, none.
        case message(String)
        /// An accepted snapshot, and whether its values stayed in the frame (split path).
        case snapshot(ProbeSnapshot, split: Bool)
        case scalars(ScalarRecord)
        case refused(Infoplane_V1_ErrorCode, String)
        /// A refused Scalars. Which refusal, when several entries are bad (an empty name and
        /// an infinite value), depends on the order a Dictionary yields them, which Swift
        /// seeds per process and per instance; so two refused Scalars compare equal.
        case scalarsRefused(Infoplane_V1_ErrorCode, String)
        case malformed(String)

        static func == (a: FrameOutcome, b: FrameOutcome) -> Bool {
            switch (a, b) {
            case (.message(let x), .message(let y)): return x == y
            case (.snapshot(let x, let p), .snapshot(let y, let q)): return x == y && p == q
            case (.scalars(let x), .scalars(let y)): return x == y
            case (.refused(let c, let m), .refused(let d, let n)): return c == d && m == n
            case (.scalarsRefused, .scalarsRefused): return true
            case (.malformed(let x), .malformed(let y)): return x == y
            default: return false
            }
        }

        /// A word for the run's tally (a refused Scalars without its order-dependent code).
        var tally: String {
            if case .scalarsRefused = self { return "scalars-refused" }
            return StreamOutcome(frames: [self]).summary[0]
        }
    }

    struct StreamOutcome: Equatable {
        var frames: [FrameOutcome] = []
        var framingError: FramingError?

        /// One word per frame, then the framing error if any.
        var summary: [String] {
            frames.map { frame -> String in
                switch frame {
                case .message(let kind): return kind
                case .snapshot(_, let split): return split ? "snapshot+split" : "snapshot"
                case .scalars: return "scalars"
                case .refused(let code, _), .scalarsRefused(let code, _): return "refused:\(code)"
                case .malformed: return "malformed"
                }
            } + (framingError.map { ["framing:\(Harness.caseName($0))"] } ?? [])
        }
    }

    struct RunResult {
        var outcome = StreamOutcome()
        var violations: [String] = []
        /// Accepted snapshots whose values the assembler had checked finite while copying.
        var checkedFinite = 0
        /// Snapshots refused for a shape whose features (every dimension after the first)
        /// overflow Int: each of these trapped the daemon before issue 13's fix.
        var columnsOverflowRefused = 0
    }

    /// Sees each assembled frame on its way to the decoder, so the decode can be checked
    /// against swift-protobuf's decode of the same bytes.
    final class FrameTap: ChannelInboundHandler {
        typealias InboundIn = AssembledFrame
        typealias InboundOut = AssembledFrame
        var frames: [AssembledFrame] = []

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            frames.append(unwrapInboundIn(data))
            context.fireChannelRead(data)
        }
    }

    /// Runs `stream`, cut before each offset in `cuts` (ascending), then the end of input.
    static func run(_ stream: [UInt8], cuts: [Int]) -> RunResult {
        var result = RunResult()
        let tap = FrameTap()
        let channel = EmbeddedChannel(handlers: [FrameAssemblingHandler(maximumFrameLength: maximumFrameLength), tap, ClientMessageDecoder()])
        var items: [IngestInbound] = []

        func caught(_ error: any Error, _ when: String) {
            if let framing = error as? FramingError {
                if let earlier = result.outcome.framingError {
                    result.violations.append("a second framing error \(caseName(framing)) after \(caseName(earlier)) (\(when))")
                } else {
                    result.outcome.framingError = framing
                }
            } else {
                result.violations.append("\(when) threw \(type(of: error)): \(error)")
            }
        }
        func drain() {
            do {
                while let item = try channel.readInbound(as: IngestInbound.self) {
                    if result.outcome.framingError != nil {
                        result.violations.append("a message came out after the framing error")
                    }
                    items.append(item)
                }
            } catch {
                result.violations.append("readInbound threw \(type(of: error)): \(error)")
            }
        }

        var start = 0
        for end in cuts + [stream.count] where end >= start {
            var buffer = channel.allocator.buffer(capacity: end - start)
            buffer.writeBytes(stream[start..<end])
            start = end
            var failure: (any Error)?
            do { try channel.writeInbound(buffer) } catch { failure = error }
            drain()  // the frames before the error, if any
            if let failure { caught(failure, "channelRead") }
        }
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        do { try channel.throwIfErrorCaught() } catch { caught(error, "end of input") }
        do { _ = try channel.finish() } catch { caught(error, "close") }
        drain()  // nothing: the stream has ended

        guard items.count == tap.frames.count else {
            result.violations.append("\(tap.frames.count) frames assembled, \(items.count) decoder outputs")
            return result
        }
        let validator = SnapshotValidator(runName: runName)
        for (item, frame) in zip(items, tap.frames) {
            result.outcome.frames.append(check(item, frame: frame, validator: validator, into: &result))
        }
        return result
    }

    static func check(_ item: IngestInbound, frame: AssembledFrame, validator: SnapshotValidator, into result: inout RunResult) -> FrameOutcome {
        let bytes = frame.bytes.getBytes(at: frame.bytes.readerIndex, length: frame.bytes.readableBytes) ?? []
        let full: Swift.Result<Infoplane_V1_ClientMessage, any Error> = Swift.Result { try Infoplane_V1_ClientMessage(serializedBytes: bytes) }

        switch item {
        case .malformed(let reason):
            switch full {
            case .success(let m):
                result.violations.append("the decoder reported a malformed frame (\(reason)) that swift-protobuf decodes: \(m)")
            case .failure(let error):
                if !(error is BinaryDecodingError) {
                    result.violations.append("a frame failed to decode with \(type(of: error)), not a protobuf decoding error: \(error)")
                }
            }
            return .malformed(reason)

        case .message(let message, let wireBytes, let values, let checkedFinite):
            if wireBytes != bytes.count { result.violations.append("wireBytes \(wireBytes) for a frame of \(bytes.count) bytes") }
            var rebuilt = message
            if let values {
                if case .snapshot = message.kind, message.snapshot.values.data.isEmpty {
                    rebuilt.snapshot.values.data = Data(values.readableBytesView)
                } else {
                    result.violations.append("values split off a message that is not a Snapshot with empty data")
                }
            } else if checkedFinite {
                result.violations.append("valuesCheckedFinite without values")
            }
            switch full {
            case .success(let m) where m == rebuilt || sameBytes(m, rebuilt): break
            case .success(let m): result.violations.append("decoded \(rebuilt)\nbut the whole frame decodes to \(m)")
            case .failure(let e): result.violations.append("decoded a frame swift-protobuf refuses (\(e))")
            }

            switch message.kind {
            case .snapshot(let wire):
                do {
                    let snapshot = try validator.validate(wire, valuesBytes: values, valuesCheckedFinite: checkedFinite)
                    checkAccepted(snapshot, wire: wire, into: &result)
                    if checkedFinite { result.checkedFinite += 1 }
                    return .snapshot(snapshot, split: values != nil)
                } catch {
                    if error.code == .internal { result.violations.append("INTERNAL refusal: \(error.message)") }
                    if error.code == .shapeMismatch, SnapshotValidator.product(wire.values.shape.dropFirst()) == nil {
                        result.columnsOverflowRefused += 1
                    }
                    return .refused(error.code, error.message)
                }
            case .scalars(let wire):
                do {
                    let record = try validator.validate(wire)
                    if record.values.isEmpty || record.values.contains(where: { $0.key.isEmpty || !$0.value.isFinite }) || record.step < 0 {
                        result.violations.append("accepted scalars \(record)")
                    }
                    return .scalars(record)
                } catch {
                    if error.code == .internal { result.violations.append("INTERNAL refusal: \(error.message)") }
                    return .scalarsRefused(error.code, error.message)
                }
            case .hello: return .message("hello")
            case .heartbeat: return .message("heartbeat")
            case .goodbye: return .message("goodbye")
            case nil: return .message("none")
            }
        }
    }

    /// Equal once serialised in a deterministic order: `==` says no for a NaN scalar.
    static func sameBytes(_ a: Infoplane_V1_ClientMessage, _ b: Infoplane_V1_ClientMessage) -> Bool {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        let x: [UInt8]? = try? a.serializedBytes(options: options)
        let y: [UInt8]? = try? b.serializedBytes(options: options)
        return x != nil && x == y
    }

    /// What an accepted snapshot must be.
    static func checkAccepted(_ s: ProbeSnapshot, wire: Infoplane_V1_Snapshot, into result: inout RunResult) {
        var problems: [String] = []
        if s.rows < 1 || s.rows != Int(wire.values.shape.first ?? 0) { problems.append("rows \(s.rows) for shape \(wire.values.shape)") }
        if s.columns < 1 || s.rows.multipliedReportingOverflow(by: s.columns) != (s.values.count, false) {
            problems.append("\(s.values.count) values for \(s.rows) rows × \(s.columns) columns")
        }
        if Set(s.sampleIDs).count != s.sampleIDs.count { problems.append("repeated sample ids") }
        if s.run != runName || s.step < 0 || s.layer.isEmpty || s.chunkIndex >= s.chunkCount { problems.append("fields \(s.run) \(s.step) \(s.layer) \(s.chunkIndex)/\(s.chunkCount)") }
        if case .integers = s.values {} else if s.values.count > 0 {
            var floats = [Float](repeating: 0, count: s.values.count)
            floats.withUnsafeMutableBufferPointer { s.values.copyFloats(from: 0, into: $0) }
            if let bad = floats.firstIndex(where: { !$0.isFinite }) { problems.append("value \(bad) is \(floats[bad])") }
        }
        if !problems.isEmpty { result.violations.append("accepted an inconsistent snapshot: " + problems.joined(separator: "; ")) }
    }

    static func caseName(_ error: FramingError) -> String {
        if case .badVarint = error { return "badVarint" }
        return Mirror(reflecting: error).children.first?.label ?? "\(error)"
    }
}

// MARK: - The campaign

fileprivate struct CampaignReport: Sendable {
    struct Failure: Sendable {
        var index: Int
        var problem: String
        var input: [UInt8]
        var cuts: [Int]
        var savedAt: String?
    }
    var inputs = 0
    var bytes = 0
    var seconds = 0.0
    var stats: [String: Int] = [:]
    var failures: [Failure] = []
}

fileprivate struct Campaign {
    var seed: UInt64
    var corpus: [[UInt8]]
    var lastInputPath: String?
    /// Every this many inputs, the stream is also fed whole and the outcomes compared.
    static let wholeEvery = 3

    init(seed: UInt64, corpus: [[UInt8]], lastInputPath: String? = nil) {
        self.seed = seed
        self.corpus = corpus
        self.lastInputPath = lastInputPath
    }

    /// `progressEvery`: print the index reached every this many inputs (after a trap, the
    /// last line says where to start looking, with INFOPLANE_FUZZ_FIRST and _LAST_INPUT).
    func run(first: Int, count: Int, progressEvery: Int? = nil) -> CampaignReport {
        var report = CampaignReport()
        let clock = ContinuousClock()
        let started = clock.now
        let generator = InputGenerator(corpus: corpus)
        for index in first..<(first + count) {
            if let progressEvery, index > first, (index - first) % progressEvery == 0 {
                let seconds = Double((clock.now - started).components.seconds)
                print("FrameDecoderFuzzTests: input \(index) after \(Int(seconds)) s, \(report.failures.count) failing so far")
                fflush(nil)  // a trap loses what is buffered
            }
            var rng = SeededGenerator(seed: seed, stream: UInt64(index))
            let stream = generator.stream(&rng)
            let cuts = InputGenerator.cuts(for: stream.count, &rng)
            if let lastInputPath { FileManager.default.createFile(atPath: lastInputPath, contents: Data(stream)) }

            // Cut as a socket would deliver it; every third input also whole, to compare.
            let pieces = Harness.run(stream, cuts: cuts)
            var problems = pieces.violations.map { "(cut) " + $0 }
            if index % Self.wholeEvery == 0 && !cuts.isEmpty {
                let whole = Harness.run(stream, cuts: [])
                problems += whole.violations
                if whole.outcome != pieces.outcome {
                    problems.append("cut into pieces the stream gives \(pieces.outcome.summary), whole \(whole.outcome.summary)"
                                    + Self.firstDifference(whole.outcome, pieces.outcome))
                }
                report.stats["compared-whole", default: 0] += 1
            }

            report.inputs += 1
            report.bytes += stream.count
            for frame in pieces.outcome.frames { report.stats[frame.tally, default: 0] += 1 }
            if let framing = pieces.outcome.framingError { report.stats["framing:\(Harness.caseName(framing))", default: 0] += 1 }
            report.stats["checked-finite", default: 0] += pieces.checkedFinite
            report.stats["columns-overflow-refused", default: 0] += pieces.columnsOverflowRefused
            if !problems.isEmpty, report.failures.count < 100 {
                report.failures.append(.init(index: index, problem: problems.joined(separator: "\n  "), input: stream, cuts: cuts,
                                             savedAt: Self.save(stream, seed: seed, index: index)))
            }
        }
        let elapsed = clock.now - started
        report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return report
    }

    static func firstDifference(_ a: Harness.StreamOutcome, _ b: Harness.StreamOutcome) -> String {
        for (i, (x, y)) in zip(a.frames, b.frames).enumerated() where x != y {
            return "; frame \(i): whole \(x), cut \(y)"
        }
        return ""
    }

    static func save(_ input: [UInt8], seed: UInt64, index: Int) -> String? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-fuzz-failures")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("seed-\(String(seed, radix: 16))-input-\(index).bin")
        return FileManager.default.createFile(atPath: file.path, contents: Data(input)) ? file.path : nil
    }
}

// MARK: - Inputs


/// Edge values for the fields a client controls.
fileprivate enum Edge {
    static let u32: [UInt32] = [0, 1, 2, 3, 4, 7, 8, 255, 256, 65_535, 65_536, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF]
    static let i64: [Int64] = [0, 1, -1, 2, -2, Int64(Int32.max), Int64(Int32.min), 1 << 53, Int64.max, Int64.min, Int64.max - 1]
    static let u64: [UInt64] = [0, 1, 2, 0x7F, 0x80, 0x3FFF, 0x4000, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF, 1 << 32, (1 << 32) + 1,
                                UInt64(Harness.maximumFrameLength), UInt64(Harness.maximumFrameLength) + 1, 1 << 62, 1 << 63, UInt64.max]
    static let doubles: [Double] = [0, -0.0, 1, -1, .nan, .infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude,
                                    .leastNormalMagnitude, 1e308, -1e-308]
    /// F32 bit patterns: NaNs, infinities, subnormals, extremes.
    static let float32Bits: [UInt32] = [0x7FC0_0000, 0x7F80_0000, 0xFF80_0000, 0x7F80_0001, 0xFFFF_FFFF, 0x0000_0001, 0x8000_0000,
                                        0x7F7F_FFFF, 0x0080_0000]
    static let bytes: [UInt8] = [0x00, 0x01, 0x02, 0x7F, 0x80, 0x81, 0xFF, 0xFE, 0x08, 0x0A, 0x12, 0x1A, 0x40, 0x5A, 0x62]
}

/// Varint encodings, including the non-minimal and over-long ones a client can send.
fileprivate enum Wire {
    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        out.append(UInt8(v))
        return out
    }

    /// `value` padded with 0x80 continuation bytes to `length` bytes (valid LEB128 up to 10).
    static func paddedVarint(_ value: UInt64, length: Int) -> [UInt8] {
        var out = varint(value)
        guard out.count < length else { return out }
        out[out.count - 1] |= 0x80
        out += [UInt8](repeating: 0x80, count: length - out.count - 1) + [0x00]
        return out
    }

    static func field(_ number: UInt64, _ wireType: UInt64, _ payload: [UInt8]) -> [UInt8] {
        let tag = varint(number << 3 | wireType)
        return wireType == 2 ? tag + varint(UInt64(payload.count)) + payload : tag + payload
    }
}

fileprivate struct InputGenerator {
    var corpus: [[UInt8]]

    /// One byte stream: a mutated corpus entry, generated messages, or both.
    func stream(_ rng: inout SeededGenerator) -> [UInt8] {
        if rng.below(2000) == 0 {  // Hello and a 1 MiB snapshot: the assembler checks its values as they arrive
            var m = Infoplane_V1_ClientMessage()
            m.sequence = 2
            m.snapshot = Self.largeSnapshot(&rng)
            return frame(Self.serialize(Self.validHello()), &rng, exact: true) + frame(Self.serialize(m), &rng, exact: true)
        }
        switch rng.below(100) {
        case 0..<30:
            var bytes = rng.pick(corpus)
            mutate(&bytes, times: 1 + rng.below(rng.percent(70) ? 3 : 10), &rng)
            return bytes
        case 30..<75:
            return messages(&rng)
        case 75..<97:
            var bytes = messages(&rng)
            mutate(&bytes, times: 1 + rng.below(4), &rng)
            return bytes
        default:
            return (0..<rng.below(48)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
    }

    /// A valid Hello (usually), then one to three generated messages, each length-prefixed.
    func messages(_ rng: inout SeededGenerator) -> [UInt8] {
        var out: [UInt8] = []
        if rng.percent(70) { out += frame(Self.serialize(Self.validHello()), &rng, exact: true) }
        for sequence in 0..<(1 + rng.below(3)) {
            out += frame(message(sequence: UInt64(sequence + 2), &rng), &rng, exact: false)
        }
        if rng.percent(3) { out += (0..<(1 + rng.below(6))).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
        return out
    }

    /// `body` behind a length prefix: mostly the right one, sometimes off by one, padded,
    /// over-long or an edge value.
    func frame(_ body: [UInt8], _ rng: inout SeededGenerator, exact: Bool) -> [UInt8] {
        let n = UInt64(body.count)
        if exact || rng.percent(85) { return Wire.varint(n) + body }
        switch rng.below(7) {
        case 0: return Wire.varint(n + 1) + body
        case 1: return Wire.varint(n == 0 ? 0 : n - 1) + body
        case 2: return Wire.paddedVarint(n, length: 2 + rng.below(9)) + body
        case 3: return Wire.paddedVarint(n, length: 11 + rng.below(3)) + body  // more than 10 bytes
        case 4: return Wire.varint(rng.pick(Edge.u64)) + body
        case 5: return Wire.varint(0) + body
        default: return [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, UInt8(2 + rng.below(126))] + body  // > 64 bits
        }
    }

    func message(sequence: UInt64, _ rng: inout SeededGenerator) -> [UInt8] {
        var m = Infoplane_V1_ClientMessage()
        m.sequence = rng.percent(95) ? sequence : rng.pick(Edge.u64)
        switch rng.below(100) {
        case 0..<62:
            m.snapshot = snapshot(&rng)
        case 62..<74:
            m.scalars = scalars(&rng)
        case 74..<80:
            m.hello = hello(&rng)
        case 80..<84:
            m.heartbeat = Infoplane_V1_Heartbeat()
            m.heartbeat.clientTimeUnixNanos = rng.pick(Edge.u64)
        case 84..<87:
            m.goodbye = Infoplane_V1_Goodbye()
            m.goodbye.reason = rng.percent(50) ? "" : "done"
        case 87..<89:
            break  // no kind
        default:
            return rawSnapshotMessage(sequence: m.sequence, &rng)
        }
        return Self.serialize(m)
    }

    /// The message's bytes, map entries in key order (a Dictionary's order differs from
    /// one instance to the next, and the inputs must depend on the seed alone).
    static func serialize(_ m: some SwiftProtobuf.Message) -> [UInt8] {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        // Serialising a message built from generated types cannot fail (no required fields).
        return (try? m.serializedBytes(options: options)) ?? []
    }

    static func validHello() -> Infoplane_V1_ClientMessage {
        var m = Infoplane_V1_ClientMessage()
        m.sequence = 1
        m.hello.protocolVersion = InfoplaneProtocolVersion.current
        m.hello.clientName = "fuzz"
        m.hello.runName = Harness.runName
        return m
    }

    func hello(_ rng: inout SeededGenerator) -> Infoplane_V1_Hello {
        var h = Infoplane_V1_Hello()
        h.protocolVersion = rng.percent(80) ? InfoplaneProtocolVersion.current : rng.pick(Edge.u32)
        h.runName = rng.pick([Harness.runName, "", "other", String(repeating: "r", count: 300)])
        h.clientName = rng.pick(["", "fuzz", "é"])
        if rng.percent(20) { h.metadata = ["k": "v", "": String(repeating: "m", count: rng.below(200))] }
        if rng.percent(20) {
            h.options.estimators = rng.pick([[], ["ksg"], ["binning", "nonsense"]])
            h.options.bins = rng.pick(Edge.u32)
            h.options.k = rng.pick(Edge.u32)
            h.options.noiseSigma = rng.pick(Edge.doubles)
            h.options.binLow = rng.pick(Edge.doubles)
            h.options.binHigh = rng.pick(Edge.doubles)
            h.options.compressDims = rng.pick(Edge.u32)
        }
        return h
    }

    func scalars(_ rng: inout SeededGenerator) -> Infoplane_V1_Scalars {
        var s = Infoplane_V1_Scalars()
        s.run = rng.percent(85) ? "" : rng.pick([Harness.runName, "other"])
        s.step = rng.percent(80) ? Int64(rng.below(10_000)) : rng.pick(Edge.i64)
        s.epoch = rng.percent(90) ? 0 : rng.pick(Edge.i64)
        s.split = Infoplane_V1_Split(rawValue: rng.percent(95) ? rng.below(4) : rng.pick([4, -1, 1 << 20]))!
        for _ in 0..<rng.below(4) {
            let name = rng.pick(["loss", "accuracy", "", "lr", String(repeating: "x", count: 300), "é"])
            s.values[name] = rng.percent(75) ? Double(rng.below(1000)) / 7 : rng.pick(Edge.doubles)
        }
        return s
    }

    /// A Snapshot built with the generated types: mostly well formed, with one or more fields
    /// at an edge value.
    func snapshot(_ rng: inout SeededGenerator) -> Infoplane_V1_Snapshot {
        if rng.below(3000) == 0 { return Self.largeSnapshot(&rng) }
        var s = Infoplane_V1_Snapshot()
        s.run = rng.percent(90) ? "" : rng.pick([Harness.runName, "other", "fuzz\u{0}"])
        s.step = rng.percent(90) ? Int64(rng.below(10_000)) : rng.pick(Edge.i64)
        s.epoch = rng.percent(90) ? Int64(rng.below(100)) : rng.pick(Edge.i64)
        s.split = Infoplane_V1_Split(rawValue: rng.percent(95) ? rng.below(4) : rng.pick([4, -1, Int(Int32.max)]))!
        s.layer = rng.percent(92) ? rng.pick(["fc1", "fc2", "conv.0"])
            : rng.pick(["", String(repeating: "a", count: 256), String(repeating: "a", count: 257), String(repeating: "é", count: 128), String(repeating: "é", count: 129)])
        let role = rng.percent(95) ? rng.below(5) : rng.pick([5, -1, Int(Int32.min)])
        s.role = Infoplane_V1_Role(rawValue: role)!
        if rng.percent(90) {
            s.chunkCount = 1 + UInt32(rng.below(3))
            s.chunkIndex = UInt32(rng.below(Int(s.chunkCount)))
        } else {
            s.chunkCount = rng.pick(Edge.u32)
            s.chunkIndex = rng.pick(Edge.u32)
        }
        s.frameLayerCount = rng.percent(90) ? UInt32(rng.below(4)) : rng.pick(Edge.u32)

        // Shape: [rows, features...], with edge dimensions; sometimes issue 13's shape.
        var shape: [UInt32]
        let rows: UInt32 = rng.percent(90) ? 1 + UInt32(rng.below(16)) : rng.pick(Edge.u32)
        switch rng.below(100) {
        case 0..<3: shape = []
        case 3..<6: shape = [1, 0xFFFF_FFFF, 0xFFFF_FFFF]
        case 6..<9: shape = [rows] + (0..<(2 + rng.below(4))).map { _ in rng.pick([0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 65_536]) }
        default:
            shape = [rows]
            for _ in 0..<(s.role == .label ? rng.below(2) : rng.pick([0, 1, 1, 1, 1, 2, 3])) {
                shape.append(rng.percent(90) ? 1 + UInt32(rng.below(8)) : rng.pick(Edge.u32))
            }
        }
        let dtype: Infoplane_V1_DType
        if rng.percent(85) {
            dtype = s.role == .label ? rng.pick([.i32, .i64]) : rng.pick([.f32, .f32, .f32, .f16, .bf16, .f64])
        } else {
            dtype = Infoplane_V1_DType(rawValue: rng.pick([0, 1, 2, 3, 4, 5, 6, 7, -1, 1 << 20]))!
        }
        s.values = tensor(shape: shape, dtype: dtype, &rng)

        // Sample ids: one per row, distinct, usually.
        let idCount = Int(rows) <= 64 && rng.percent(90) ? Int(shape.first ?? rows) : rng.pick([0, 1, Int(rows) + 1, max(0, Int(rows) - 1), 3])
        let clampedCount = min(idCount, 64)
        var ids = (0..<clampedCount).map { Int64($0) &+ (rng.percent(80) ? 0 : rng.pick(Edge.i64)) }
        switch rng.below(20) {
        case 0:
            for i in stride(from: ids.count - 1, to: 0, by: -1) { ids.swapAt(i, rng.below(i + 1)) }
        case 1 where ids.count > 1: ids[rng.below(ids.count)] = ids[rng.below(ids.count)]
        case 2: ids = ids.map { _ in rng.pick(Edge.i64) }
        default: break
        }
        var idTensor = Infoplane_V1_Tensor(int64s: ids, shape: [ids.count])
        if rng.percent(25) {
            idTensor.dtype = .i32
            idTensor.data = ids.map { Int32(truncatingIfNeeded: $0) }.withUnsafeBytes { Data($0) }
        }
        switch rng.below(40) {
        case 0: idTensor.shape = []
        case 1: idTensor.shape = [UInt32(ids.count), 1]
        case 2: idTensor.shape = [UInt32(ids.count) &+ 1]
        case 3: idTensor.dtype = Infoplane_V1_DType(rawValue: rng.pick([0, 1, 4, 9]))!
        case 4: idTensor.data.removeLast(min(idTensor.data.count, 1))
        case 5: idTensor.shape = [rng.pick(Edge.u32)]
        default: break
        }
        s.sampleIds = idTensor
        return s
    }

    /// A tensor of `shape` and `dtype`; its data is usually exactly the bytes the shape needs
    /// (when that is small), else off by one, one element, or arbitrary.
    func tensor(shape: [UInt32], dtype: Infoplane_V1_DType, _ rng: inout SeededGenerator) -> Infoplane_V1_Tensor {
        var t = Infoplane_V1_Tensor()
        t.shape = shape
        t.dtype = dtype
        let size = dtype.elementSize ?? 1
        let elements = SnapshotValidator.product(shape).flatMap { $0 <= 4096 ? $0 : nil }
        var count = elements.map { $0 * size } ?? rng.below(64)
        if rng.percent(12) {
            count = max(0, count + rng.pick([-1, 1, -size, size, -count, 3]))
        }
        var data = [UInt8]()
        data.reserveCapacity(count)
        let finite = rng.percent(92)
        while data.count < count {
            let value = Float(Int(rng.below(2001)) - 1000) / 64
            switch dtype {
            case .f32: Self.append(finite ? value.bitPattern : UInt32(truncatingIfNeeded: rng.next()), to: &data)
            case .f64: Self.append(finite ? Double(value).bitPattern : rng.next(), to: &data)
            case .f16: Self.append(finite ? Float16(value).bitPattern : UInt16(truncatingIfNeeded: rng.next()), to: &data)
            case .bf16: Self.append(finite ? UInt16(value.bitPattern >> 16) : UInt16(truncatingIfNeeded: rng.next()), to: &data)
            case .i32: Self.append(UInt32(bitPattern: Int32(rng.below(10))), to: &data)
            case .i64: Self.append(UInt64(rng.below(10)), to: &data)
            default: data.append(UInt8(truncatingIfNeeded: rng.next()))
            }
        }
        data.removeLast(data.count - count)
        if dtype == .f32, data.count >= 4, rng.percent(5) {
            let at = rng.below(data.count / 4) * 4
            withUnsafeBytes(of: rng.pick(Edge.float32Bits).littleEndian) { data.replaceSubrange(at..<(at + 4), with: $0) }
        }
        t.data = Data(data)
        return t
    }

    static func append<T: FixedWidthInteger>(_ value: T, to data: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    /// A snapshot of 1 MiB of F32 values: large enough for the assembler to check its values
    /// while copying pieces (`streamingCopyThreshold`), sometimes with one NaN or infinity.
    static func largeSnapshot(_ rng: inout SeededGenerator) -> Infoplane_V1_Snapshot {
        let rows = 256, columns = 1024
        var values = [Float](repeating: 0, count: rows * columns)
        let base = Float(rng.below(100))
        for i in values.indices { values[i] = base + Float(i & 1023) / 1024 }
        if rng.percent(50) { values[rng.below(values.count)] = rng.pick([.nan, .infinity, -.infinity]) }
        var s = Infoplane_V1_Snapshot()
        s.step = Int64(rng.below(100))
        s.layer = "large"
        s.chunkCount = 1
        s.values = Infoplane_V1_Tensor(floats: values, shape: [rows, columns])
        if rng.percent(20) { s.values.shape = [UInt32(rows), UInt32(columns) + 1] }
        s.sampleIds = Infoplane_V1_Tensor(int64s: (0..<rows).map { Int64($0) }, shape: [rows])
        return s
    }

    /// A ClientMessage written field by field: a Snapshot with repeated or unusual fields that
    /// the generated types would never write (protobuf merges repeated message fields, keeps
    /// the last scalar, concatenates repeated shape entries, accepts unpacked ones, and
    /// truncates a uint32 sent as a 64-bit varint).
    func rawSnapshotMessage(sequence: UInt64, _ rng: inout SeededGenerator) -> [UInt8] {
        var snapshot = Self.serialize(self.snapshot(&rng))
        for _ in 0..<(1 + rng.below(3)) {
            switch rng.below(8) {
            case 0:  // a second values tensor, merged into the first
                let extra = tensor(shape: [UInt32(1 + rng.below(4))], dtype: rng.pick([.f32, .unspecified]), &rng)
                snapshot += Wire.field(8, 2, Self.serialize(extra))
            case 1:  // a second sample_ids tensor
                snapshot += Wire.field(7, 2, Self.serialize(Infoplane_V1_Tensor(int64s: [Int64(rng.below(4))], shape: [1])))
            case 2:  // an unpacked shape entry as a 64-bit varint, inside a values field
                snapshot += Wire.field(8, 2, Wire.field(1, 0, Wire.varint(rng.pick(Edge.u64))))
            case 3:  // values.data twice
                snapshot += Wire.field(8, 2, Wire.field(3, 2, (0..<(4 * rng.below(1200))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }))
            case 4:  // step and chunk fields again (the last one counts)
                snapshot += Wire.field(2, 0, Wire.varint(UInt64(bitPattern: rng.pick(Edge.i64))))
                snapshot += Wire.field(10, 0, Wire.varint(rng.pick(Edge.u64)))
            case 5:  // an unknown field, sometimes a group
                snapshot += rng.percent(50) ? Wire.field(99, 0, Wire.varint(rng.pick(Edge.u64)))
                    : Wire.field(98, 3, []) + Wire.field(1, 0, [1]) + Wire.field(98, 4, [])
            case 6:  // a packed shape with a truncated varint
                snapshot += Wire.field(8, 2, Wire.field(1, 2, [0xFF, 0xFF]))
            default:  // a big values field: the values splitter's path
                let rows = 1 + rng.below(4), columns = 1024 + rng.below(2)
                snapshot += Wire.field(8, 2, Self.serialize(Infoplane_V1_Tensor(floats: [Float](repeating: 0.5, count: rows * 1024), shape: [rows, columns])))
            }
        }
        var message = Wire.field(1, 0, Wire.varint(sequence)) + Wire.field(11, 2, snapshot)
        switch rng.below(10) {
        case 0: message += Wire.field(11, 2, Self.serialize(self.snapshot(&rng)))  // the snapshot field twice: merged
        case 1: message += Wire.field(13, 2, [])  // then a heartbeat: the oneof's last field wins
        case 2: message = Wire.field(13, 2, []) + message  // a heartbeat first, replaced by the snapshot
        default: break
        }
        return message
    }

    /// AFL-style byte mutations, stacked.
    func mutate(_ bytes: inout [UInt8], times: Int, _ rng: inout SeededGenerator) {
        for _ in 0..<times {
            let n = bytes.count
            switch rng.below(12) {
            case 0 where n > 0: bytes[rng.below(n)] ^= 1 << UInt8(rng.below(8))
            case 1 where n > 0: bytes[rng.below(n)] = rng.pick(Edge.bytes)
            case 2 where n > 0: bytes[rng.below(n)] = UInt8(truncatingIfNeeded: rng.next())
            case 3 where n > 0:  // small arithmetic: lengths and counts off by a little
                let at = rng.below(n)
                bytes[at] = bytes[at] &+ UInt8(truncatingIfNeeded: rng.pick([1, 2, 3, -1, -2, -3, 16, -16]))
            case 4: bytes.insert(contentsOf: (0..<(1 + rng.below(8))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: rng.below(n + 1))
            case 5 where n > 0:
                let at = rng.below(n)
                bytes.removeSubrange(at..<min(n, at + 1 + rng.below(16)))
            case 6 where n > 0:  // a range copied elsewhere
                let at = rng.below(n), length = min(n - at, 1 + rng.below(32))
                bytes.insert(contentsOf: Array(bytes[at..<(at + length)]), at: rng.below(n + 1))
            case 7: bytes.insert(contentsOf: Wire.varint(rng.pick(Edge.u64)), at: rng.below(n + 1))
            case 8 where n >= 4:
                let at = rng.below(n - 3)
                let word: UInt32 = rng.percent(50) ? rng.pick(Edge.u32) : rng.pick(Edge.float32Bits)
                withUnsafeBytes(of: word.littleEndian) { bytes.replaceSubrange(at..<(at + 4), with: $0) }
            case 9:  // splice: this stream's head, another corpus stream's tail
                let other = rng.pick(corpus)
                bytes = Array(bytes.prefix(rng.below(n + 1))) + Array(other.suffix(rng.below(other.count + 1)))
            case 10 where n > 0: bytes.removeLast(rng.below(n) + 1)
            case 11: bytes += rng.pick(corpus)  // another whole stream after this one
            default: break
            }
        }
    }

    /// Where to cut a stream of `count` bytes into the pieces the socket delivers: a few
    /// random cuts, every byte of a window, or pieces of a few bytes — at most ~64 pieces
    /// (each piece is a channel read; they are what the debug build's time goes to).
    static func cuts(for count: Int, _ rng: inout SeededGenerator) -> [Int] {
        guard count > 1 else { return [] }
        var cuts: [Int]
        switch count >= 1 << 20 && rng.percent(70) ? 100 : rng.below(100) {
        case 0..<40: cuts = (0..<(1 + rng.below(8))).map { _ in 1 + rng.below(count - 1) }
        case 40..<60: cuts = [1 + rng.below(count - 1)]
        case 60..<75:  // every byte of a window of up to 48 bytes
            let start = count <= 48 ? 1 : 1 + rng.below(count - 48)
            cuts = Array(start..<min(count, start + 48))
        case 75..<90:
            let step = max(1 + rng.below(16), count / 64)
            cuts = Array(stride(from: step, to: count, by: step))
        default:  // a few big pieces
            let step = max(1, count / (2 + rng.below(6)))
            cuts = Array(stride(from: step, to: count, by: step))
        }
        return Array(Set(cuts)).sorted()
    }
}

