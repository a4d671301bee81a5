import Foundation

/// Runs blocking client code (sockets, poll) on dedicated threads, so that tests with
/// many concurrent clients never block Swift's cooperative thread pool.
public enum BlockingWorkers {
    /// Runs `body(i)` for i in 0..<count, each on its own thread, and returns the results
    /// in order (or the first error).
    public static func run<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) async throws -> [T] {
        try await withCheckedThrowingContinuation { continuation in
            let results = ResultBox<T>(count: count)
            let group = DispatchGroup()
            for i in 0..<count {
                group.enter()
                let thread = Thread {
                    results.set(i, Result { try body(i) })
                    group.leave()
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
            group.notify(queue: .global()) {
                continuation.resume(with: Result { try results.values() })
            }
        }
    }

    /// Runs `body` on its own thread.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await run(1) { _ in try body() }[0]
    }
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<T, any Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Result<T, any Error>) { lock.withLock { results[i] = r } }

    func values() throws -> [T] { try lock.withLock { try results.map { try $0!.get() } } }
}
