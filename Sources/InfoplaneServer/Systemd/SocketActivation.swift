import CSystemd
import Foundation

/// Sockets passed by systemd socket activation (sd_listen_fds(3)).
public enum SocketActivation {
    /// The listening stream sockets systemd passed, as ingest listeners; empty when the
    /// process was not socket-activated. Clears `LISTEN_FDS` so children do not inherit them.
    public static func inheritedListeners() -> [IngestListener] {
        let count = sd_listen_fds(1)
        guard count > 0 else { return [] }
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let named = sd_listen_fds_with_names(0, &names)
        var listeners: [IngestListener] = []
        for i in 0..<Int(count) {
            let fd = SD_LISTEN_FDS_START + Int32(i)
            guard sd_is_socket(fd, 0, Int32(SOCK_STREAM.rawValue), 1) > 0 else { continue }
            var name = "fd\(fd)"
            if named > i, let names, let cName = names[i] { name = String(cString: cName) }
            listeners.append(.inherited(descriptor: fd, name: name))
        }
        if let names {
            for i in 0..<Int(max(named, 0)) { free(names[i]) }
            free(names)
        }
        return listeners
    }
}
