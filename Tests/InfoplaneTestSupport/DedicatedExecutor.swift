import Foundation

/// Runs tasks on threads of its own instead of Swift's shared cooperative pool. Tests that
/// time live behaviour (delivery within a second, a shutdown grace) run on it, so that the
/// tests beside them, whose synchronous waits and estimator work can hold every thread of
/// the shared pool for seconds, cannot hold them up.
///
/// A task and its child tasks prefer this executor (`withTaskExecutorPreference`); an
/// unstructured `Task {}` they start does not inherit the preference: give it one with
/// `Task(executorPreference:)`.
public final class DedicatedExecutor: TaskExecutor, @unchecked Sendable {
    /// Shared by the timed tests: two threads, created once for the test process.
    public static let timedTests = DedicatedExecutor(threads: 2, name: "timed-tests")

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    public init(threads: Int, name: String) {
        for index in 0..<threads {
            let thread = Thread { [self] in drain() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    /// Runs `operation` with this executor preferred by it and its child tasks.
    public func run<T, Failure: Error>(isolation: isolated (any Actor)? = #isolation,
                                       _ operation: () async throws(Failure) -> T) async throws(Failure) -> T {
        try await withTaskExecutorPreference(self, isolation: isolation, operation: operation)
    }

    private func drain() {
        while true {
            let job = condition.withLock {
                while jobs.isEmpty { condition.wait() }
                return jobs.removeFirst()
            }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
