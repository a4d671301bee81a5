import NIOConcurrencyHelpers

/// Who is at the other end of a connection, for the per-peer connection budget: the
/// user id of a Unix-socket peer (from `SO_PEERCRED`, which the kernel vouches for), or
/// the IP address of a TCP peer.
enum ConnectionPeer: Hashable, Sendable, CustomStringConvertible {
    case user(uid: UInt32)
    case address(String)
    case unknown

    var description: String {
        switch self {
        case .user(let uid): return "uid \(uid)"
        case .address(let a): return "address \(a)"
        case .unknown: return "an unidentified peer"
        }
    }
}

/// Counts open connections in total and per peer, and refuses one past either limit.
/// Every connection holds a file descriptor and some memory; without a limit the daemon
/// ran into its descriptor limit, could not accept, and spun.
final class ConnectionLimiter: Sendable {
    let totalLimit: Int
    let perPeerLimit: Int
    private let state = NIOLockedValueBox<(total: Int, perPeer: [ConnectionPeer: Int])>((0, [:]))

    init(totalLimit: Int, perPeerLimit: Int) {
        self.totalLimit = totalLimit
        self.perPeerLimit = perPeerLimit
    }

    /// Takes a place for a connection from `peer`, or returns why there is none. A
    /// connection admitted must be `release`d when it closes.
    func admit(_ peer: ConnectionPeer) -> String? {
        state.withLockedValue { s in
            if s.total >= totalLimit {
                return "the daemon holds its maximum of \(totalLimit) connections (ingest.max_connections); retry later"
            }
            let held = s.perPeer[peer] ?? 0
            if held >= perPeerLimit {
                return "\(peer) holds its maximum of \(perPeerLimit) connections (ingest.max_connections_per_peer); close idle sessions or retry later"
            }
            s.total += 1
            s.perPeer[peer] = held + 1
            return nil
        }
    }

    func release(_ peer: ConnectionPeer) {
        state.withLockedValue { s in
            s.total -= 1
            let left = (s.perPeer[peer] ?? 0) - 1
            s.perPeer[peer] = left > 0 ? left : nil
        }
    }

    var openConnections: Int { state.withLockedValue { $0.total } }
}
