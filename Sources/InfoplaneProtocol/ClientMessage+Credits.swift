extension Infoplane_V1_ClientMessage {
    /// Snapshot and Scalars messages spend a send credit; Hello, Heartbeat and Goodbye do not.
    public var spendsCredit: Bool {
        switch kind {
        case .snapshot, .scalars: return true
        default: return false
        }
    }
}
