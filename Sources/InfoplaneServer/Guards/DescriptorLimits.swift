import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// The process's file-descriptor limit (RLIMIT_NOFILE) and how much of it is used.
///
/// Every ingest session, HTTP client and live-stream subscriber holds a descriptor; SQLite
/// holds a few per connection of its pool. At the limit `accept` fails with EMFILE and new
/// clients wait in the listen backlog, so the daemon logs the limit when it starts and warns
/// (`DescriptorWatch`, `AcceptErrorLogger`) before and when it is reached.
public enum DescriptorLimits {
    /// The soft and hard limit now (`nil` for RLIM_INFINITY).
    public static func current() -> (soft: UInt64?, hard: UInt64?) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (nil, nil) }
        func value(_ v: rlim_t) -> UInt64? { v == rlim_t.max ? nil : UInt64(v) }  // RLIM_INFINITY
        return (value(limit.rlim_cur), value(limit.rlim_max))
    }

    /// Descriptors open now (entries of /proc/self/fd, the one listing them included); nil
    /// when /proc is not mounted. The directory is opened once and kept open: at the limit,
    /// opening it again would fail for want of a descriptor.
    public static func openCount() -> Int? {
        procFD.withLockedValue { handle in
            guard let dir = handle.dir else { return nil }
            rewinddir(dir)
            var count = 0
            while let entry = readdir(dir) {
                let dot = withUnsafeBytes(of: entry.pointee.d_name) { $0[0] == UInt8(ascii: ".") }
                if !dot { count += 1 }
            }
            return count
        }
    }

    private struct DirectoryHandle: @unchecked Sendable {
        var dir: OpaquePointer?
    }
    private static let procFD = NIOLockedValueBox(DirectoryHandle(dir: opendir("/proc/self/fd")))

    /// Metadata of a log line: open, soft and hard.
    static func metadata(open: Int?) -> Logger.Metadata {
        let (soft, hard) = current()
        return [
            "open_fds": "\(open.map(String.init) ?? "unknown")",
            "soft_limit": "\(soft.map(String.init) ?? "unlimited")",
            "hard_limit": "\(hard.map(String.init) ?? "unlimited")",
        ]
    }

    /// Raises the soft limit to the hard one, as a daemon using epoll may (the low soft
    /// default exists for select(2)); returns the limits in force afterwards.
    @discardableResult
    public static func raiseSoftLimitToHard() -> (soft: UInt64?, hard: UInt64?) {
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return current()
    }

    /// Descriptors kept aside from ingest connections: listeners, the store, HTTP clients,
    /// live-stream subscribers, logs.
    public static let reservedForOtherUses: UInt64 = 256

    /// `maxConnections` lowered so that ingest connections alone cannot use up the
    /// descriptors (which would leave the daemon unable to accept HTTP clients or open
    /// files); nil when it already fits.
    public static func connectionLimitThatFits(_ maxConnections: Int) -> Int? {
        guard let soft = current().soft else { return nil }
        let room = soft > reservedForOtherUses ? Int(soft - reservedForOtherUses) : 1
        return maxConnections > room ? room : nil
    }

    /// Logs the limit: one structured line at start.
    public static func logAtStart(_ logger: Logger) {
        let (soft, hard) = current()
        var metadata = metadata(open: openCount())
        metadata["warn_at"] = "\(soft.map { String(Int(Double($0) * DescriptorWatch.warningFraction)) } ?? "never")"
        logger.info("file descriptor limit", metadata: metadata)
        if let soft, soft < 4096 {
            logger.notice("the file descriptor limit is low: each ingest connection, HTTP client and live-stream subscriber holds one; raise it (LimitNOFILE= in the unit, ulimit -n)", metadata: [
                "soft_limit": "\(soft)", "hard_limit": "\(hard.map(String.init) ?? "unlimited")",
            ])
        }
    }
}

/// Warns, at most once per `interval`, about descriptor pressure; shared by the periodic
/// check and the accept-error handler of every listener.
public final class DescriptorWarnings: Sendable {
    private struct State {
        var lastWarning: NIODeadline?
        var suppressed = 0
        var nearLimit = false
    }
    private let state = NIOLockedValueBox(State())
    private let interval: TimeAmount
    private let logger: Logger

    public init(logger: Logger, interval: TimeAmount = .seconds(30)) {
        self.logger = logger
        self.interval = interval
    }

    /// An `accept` that failed for want of descriptors (EMFILE, ENFILE) or memory.
    func acceptFailed(_ error: IOError, listener: String) {
        let now = NIODeadline.now()
        let suppressed: Int? = state.withLockedValue { s in
            if let last = s.lastWarning, now - last < interval {
                s.suppressed += 1
                return nil
            }
            defer { s.suppressed = 0; s.lastWarning = now }
            return s.suppressed
        }
        guard let suppressed else { return }
        var metadata = DescriptorLimits.metadata(open: DescriptorLimits.openCount())
        metadata["listener"] = "\(listener)"
        metadata["error"] = "\(error)"
        metadata["errno"] = "\(error.errnoCode)"
        metadata["similar_errors_suppressed"] = "\(suppressed)"
        logger.warning("accepting a connection failed: out of file descriptors; new clients wait until connections close (accepting retries every second); raise LimitNOFILE= or lower the connection limits", metadata: metadata)
    }

    /// The periodic check's finding: `open` descriptors of a soft limit of `soft`.
    func observed(open: Int, soft: UInt64) {
        let threshold = Int(Double(soft) * DescriptorWatch.warningFraction)
        let now = NIODeadline.now()
        enum Say { case warn, recovered, nothing }
        let say: Say = state.withLockedValue { s in
            if open >= threshold {
                let due = !s.nearLimit || s.lastWarning.map { now - $0 >= interval } ?? true
                s.nearLimit = true
                if due { s.lastWarning = now; return .warn }
                return .nothing
            }
            if s.nearLimit && open < threshold * 8 / 10 {
                s.nearLimit = false
                return .recovered
            }
            return .nothing
        }
        switch say {
        case .warn:
            logger.warning("open file descriptors are above 90 % of the limit; at the limit new connections cannot be accepted; raise LimitNOFILE= or lower the connection limits", metadata: DescriptorLimits.metadata(open: open))
        case .recovered:
            logger.notice("open file descriptors are back below the warning level", metadata: DescriptorLimits.metadata(open: open))
        case .nothing:
            break
        }
    }
}

/// A service that counts the open descriptors every `period` and warns (rate-limited) when
/// they pass 90 % of the soft limit.
public struct DescriptorWatch: Service {
    /// The share of the soft limit above which the daemon warns.
    public static let warningFraction = 0.9
    let warnings: DescriptorWarnings
    let period: Duration

    public init(warnings: DescriptorWarnings, period: Duration = .seconds(2)) {
        self.warnings = warnings
        self.period = period
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if let open = DescriptorLimits.openCount(), let soft = DescriptorLimits.current().soft {
                    warnings.observed(open: open, soft: soft)
                }
                try await Task.sleep(for: period)
            }
        }
    }
}

/// The first handler of a listening channel: logs (rate-limited) the accept errors that
/// mean the process is out of descriptors or memory, then hands them on (NIO's
/// `AcceptBackoffHandler` then pauses accepting for a second instead of retrying at once).
final class AcceptErrorLogger: ChannelInboundHandler, Sendable {
    typealias InboundIn = Channel
    private let warnings: DescriptorWarnings
    private let listener: String

    init(warnings: DescriptorWarnings, listener: String) {
        self.warnings = warnings
        self.listener = listener
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let io = error as? IOError, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(io.errnoCode) {
            warnings.acceptFailed(io, listener: listener)
        }
        context.fireErrorCaught(error)
    }
}
