import Dispatch

/// Runs `body` over 0..<count split into contiguous chunks, one chunk per task, on all
/// cores. `body` receives a range and must only write to memory it owns for that range.
func parallelChunks(count: Int, minimumChunk: Int = 64, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let workers = ProcessInfoCores.active
    let chunks = max(1, min(workers * 16, count / max(minimumChunk, 1)))
    if chunks == 1 {
        body(0..<count)
        return
    }
    let size = (count + chunks - 1) / chunks
    withoutActuallyEscaping(body) { body in
        let box = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let lower = chunk * size
            let upper = min(count, lower + size)
            if lower < upper { box.value(lower..<upper) }
        }
    }
}

/// Runs `first` and `second` at the same time (on two cores when the machine has them) and
/// returns both results. For independent set-up steps, such as building the joint and the
/// marginal neighbour indexes of KSG.
func concurrently<A, B>(_ first: () -> A, _ second: () -> B) -> (A, B) {
    guard ProcessInfoCores.active > 1 else { return (first(), second()) }
    var a: A?
    var b: B?
    withUnsafeMutablePointer(to: &a) { pa in
        withUnsafeMutablePointer(to: &b) { pb in
            withoutActuallyEscaping(first) { first in
                withoutActuallyEscaping(second) { second in
                    let work = UncheckedBox((first, second, pa, pb))
                    DispatchQueue.concurrentPerform(iterations: 2) { i in
                        if i == 0 { work.value.2.pointee = work.value.0() } else { work.value.3.pointee = work.value.1() }
                    }
                }
            }
        }
    }
    return (a!, b!)
}

/// Carries a non-Sendable value into `concurrentPerform`, whose chunks write disjoint memory.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A mutable buffer pointer that parallel chunks write disjoint ranges of.
struct SharedBuffer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    subscript(i: Int) -> T {
        get { pointer[i] }
        nonmutating set { pointer[i] = newValue }
    }
}

/// Active processor count, for the parallel loops. Internal on purpose: made `package`, it
/// slowed the loops that read it (Documentation/performance.md, "kNN search").
enum ProcessInfoCores {
    static var active: Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }
}
#if canImport(Glibc)
import Glibc
#endif
