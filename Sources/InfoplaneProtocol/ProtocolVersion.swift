/// The wire protocol's version. A client's `Hello.protocol_version` must equal it.
public enum InfoplaneProtocolVersion {
    public static let current: UInt32 = 1
}
