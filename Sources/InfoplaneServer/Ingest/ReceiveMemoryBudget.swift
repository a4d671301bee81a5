import InfoplaneProtocol
import NIOConcurrencyHelpers

/// The daemon's budget for bytes of frames that are still arriving: in total and per run.
///
/// A connection assembles at most one frame at a time, and a frame is at most
/// `max_message_bytes`, which is therefore the per-connection budget. Many connections,
/// though, can each announce a large frame and send it slowly; without these two budgets
/// 40 connections announcing 64 MiB each held 2.7 GB (and, under an address-space limit,
/// crashed the daemon). A reservation that would pass either budget is refused: the
/// connection that asked — the newest claim — is told and closed, the others go on.
public final class ReceiveMemoryBudget: Sendable {
    public let totalLimit: Int
    public let perRunLimit: Int

    private struct State {
        var total = 0
        var perRun: [String: Int] = [:]
    }
    private let state = NIOLockedValueBox(State())

    public init(totalLimit: Int, perRunLimit: Int) {
        self.totalLimit = totalLimit
        self.perRunLimit = perRunLimit
    }

    /// Bytes reserved now, in total.
    public var reservedBytes: Int { state.withLockedValue { $0.total } }

    /// Bytes reserved now by the connections of `run`.
    public func reservedBytes(run: String) -> Int { state.withLockedValue { $0.perRun[run] ?? 0 } }

    func reserve(_ bytes: Int, run: String?) throws(FramingError) {
        let refusal: FramingError? = state.withLockedValue { s in
            let (total, overflow) = s.total.addingReportingOverflow(bytes)
            if overflow || total > totalLimit {
                return .memoryBudgetExceeded(announced: bytes, budget: "ingest.max_receiving_bytes = \(totalLimit) bytes for all connections, \(s.total) held")
            }
            if let run {
                let held = s.perRun[run] ?? 0
                if held + bytes > perRunLimit {
                    return .memoryBudgetExceeded(announced: bytes, budget: "ingest.max_receiving_bytes_per_run = \(perRunLimit) bytes for run \"\(run)\", \(held) held by its other connections")
                }
                s.perRun[run] = held + bytes
            }
            s.total = total
            return nil
        }
        if let refusal { throw refusal }
    }

    func release(_ bytes: Int, run: String?) {
        state.withLockedValue { s in
            s.total -= bytes
            if let run {
                let left = (s.perRun[run] ?? 0) - bytes
                s.perRun[run] = left > 0 ? left : nil
            }
        }
    }
}

/// One connection's account with the `ReceiveMemoryBudget`: charges its frames to the
/// run its session is bound to (from Hello on; before Hello, to the total only).
final class ConnectionMemoryAccount: FrameMemoryAccount {
    private let budget: ReceiveMemoryBudget
    /// The run, and the bytes reserved under it (a frame reserved before Hello is
    /// released under no run).
    private let state = NIOLockedValueBox<(run: String?, reservations: [(bytes: Int, run: String?)])>((nil, []))

    init(budget: ReceiveMemoryBudget) {
        self.budget = budget
    }

    /// Binds the connection to `run` (its session's Hello was accepted).
    func bind(run: String) {
        state.withLockedValue { $0.run = run }
    }

    func reserve(_ bytes: Int) throws(FramingError) {
        let run = state.withLockedValue { $0.run }
        try budget.reserve(bytes, run: run)
        state.withLockedValue { $0.reservations.append((bytes, run)) }
    }

    func release(_ bytes: Int) {
        let run: String?? = state.withLockedValue { s in
            guard let i = s.reservations.firstIndex(where: { $0.bytes == bytes }) else { return nil }
            return s.reservations.remove(at: i).run
        }
        guard let run else { return }
        budget.release(bytes, run: run)
    }
}
