import InfoplaneMonitor
import InfoplaneProtocol

extension StoreFailure {
    /// The code a client is sent when the daemon's store could not keep its message: the
    /// disk is full, or the store could not write for another reason. Neither asks anything
    /// of the client but to retry later.
    var errorCode: Infoplane_V1_ErrorCode {
        switch kind {
        case .full: return .storeFull
        case .unavailable: return .storeUnavailable
        }
    }
}
