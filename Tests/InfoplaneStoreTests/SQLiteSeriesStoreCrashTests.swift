import Foundation
import Testing
import InfoplaneMonitor
@testable import InfoplaneStore

/// kill -9 during ingest, at the store level: the test re-launches its own test binary as
/// a writer child (`crashWriterChild`, enabled only by its environment variables), which
/// appends frames and records each step in a log file right after its commit returned.
/// The parent kills it with SIGKILL mid-stream, reopens the file, and checks that every
/// logged step is there, that no frame is half-written, and that the run continues.
@Suite struct SQLiteSeriesStoreCrashTests {
    static let databaseVariable = "INFOPLANE_STORE_CRASH_WRITER_DB"
    static let logVariable = "INFOPLANE_STORE_CRASH_WRITER_LOG"

    @Test(.enabled(if: ProcessInfo.processInfo.environment[databaseVariable] != nil,
                   "runs only as the child of everyCommittedFrameSurvivesKill9"))
    func crashWriterChild() async throws {
        let environment = ProcessInfo.processInfo.environment
        let store = try SQLiteSeriesStore(path: environment[Self.databaseVariable]!)
        let log = try #require(FileHandle(forWritingAtPath: environment[Self.logVariable]!))
        let deadline = ContinuousClock.now + .seconds(60) // never outlive a dead parent for long
        var step: Int64 = 0
        while ContinuousClock.now < deadline {
            try await store.appendFrame(frame(run: "crash", step: step))
            log.write(Data("\(step)\n".utf8)) // only after the commit returned
            step += 1
        }
    }

    @Test func everyCommittedFrameSurvivesKill9() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let logPath = dir.url.appendingPathComponent("committed.log").path
        #expect(FileManager.default.createFile(atPath: logPath, contents: nil))
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = ["--testing-library", "swift-testing", "--filter", "crashWriterChild"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.databaseVariable] = dir.databasePath
        environment[Self.logVariable] = logPath
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()

        // Let it commit a good number of frames, then kill it without warning.
        let wanted = 300
        let deadline = ContinuousClock.now + .seconds(60)
        while Self.loggedSteps(logPath).count < wanted, ContinuousClock.now < deadline, child.isRunning {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(child.isRunning, "the writer child ended on its own")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGKILL)
        let committed = Self.loggedSteps(logPath)
        try #require(committed.count >= wanted, "the child logged only \(committed.count) commits")

        let store = try SQLiteSeriesStore(path: dir.databasePath)
        #expect(try await store.integrityCheck() == ["ok"])
        let points = try await store.series(SeriesQuery(run: "crash"))
        var pointsPerStep: [Int64: Int] = [:]
        for p in points { pointsPerStep[p.step, default: 0] += 1 }
        // Every logged commit is there...
        let missing = committed.filter { pointsPerStep[$0] == nil }
        #expect(missing.isEmpty, "committed before the kill but missing: \(missing.prefix(10))")
        // ...and every stored frame is whole (6 points: 3 layers x 2 metrics).
        #expect(pointsPerStep.values.allSatisfy { $0 == 6 })
        // The stored steps are 0...k: at most the frame in flight beyond the log.
        let last = try #require(pointsPerStep.keys.max())
        #expect(pointsPerStep.count == Int(last) + 1)
        #expect(last <= committed.max()! + 1)

        // The run continues under its identity.
        let before = try #require(try await store.run(named: "crash"))
        #expect(try await store.upsertRun(RunDescriptor(name: "crash", clientName: "py")).id == before.id)
        try await store.appendFrame(frame(run: "crash", step: last + 1))
        let l1 = try await store.series(SeriesQuery(run: "crash", layer: "L1", metric: Metric.inputInformation))
        #expect(l1.map(\.step) == Array(0...(last + 1)))
    }

    /// The steps of the complete lines of the log (a line cut by the kill is ignored).
    static func loggedSteps(_ path: String) -> [Int64] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast() // after the last "\n": empty, or a partial line
        return lines.compactMap { Int64($0) }
    }
}
