import CLAPACK
import Foundation

/// How many threads OpenBLAS uses inside one BLAS or LAPACK call.
///
/// OpenBLAS's own threads wait for work by spinning. The daemon already runs one estimation
/// worker per spare core, so its BLAS threads compete with the other workers, and with
/// anything else the machine runs: with both cores busy (a training job on one, another
/// process on the other), the same 32 frames took over five minutes instead of 35 s (debug
/// build, DeterminismUnderLoadTests before the change). One thread per call keeps a
/// worker's cost what it is on an idle machine, whatever the load.
public enum BLASThreads {
    /// Threads per call now.
    public static var perCall: Int { Int(openblas_get_num_threads()) }

    /// One thread per call, unless the environment sets `OPENBLAS_NUM_THREADS` (or
    /// `OMP_NUM_THREADS`, which OpenBLAS also reads): then the operator's choice stays.
    /// Returns the threads per call in effect.
    @discardableResult
    public static func useOnePerCallUnlessConfigured() -> Int {
        let environment = ProcessInfo.processInfo.environment
        if environment["OPENBLAS_NUM_THREADS"] == nil && environment["OMP_NUM_THREADS"] == nil {
            openblas_set_num_threads(1)
        }
        return perCall
    }
}
