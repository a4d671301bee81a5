import InfoplaneMonitor
import InfoplaneProtocol
import NIOCore

/// The open sessions per run, so that alerts raised on a run reach the client that owns it
/// as a ServerMessage Alert.
actor SessionRegistry {
    typealias Writer = NIOAsyncChannelOutboundWriter<Infoplane_V1_ServerMessage>
    private var writers: [String: [UInt64: Writer]] = [:]

    func register(run: String, session: UInt64, writer: Writer) {
        writers[run, default: [:]][session] = writer
    }

    func unregister(run: String, session: UInt64) {
        writers[run]?[session] = nil
        if writers[run]?.isEmpty == true { writers[run] = nil }
    }

    func writers(of run: String) -> [Writer] {
        Array(writers[run]?.values ?? [:].values)
    }

    /// Forwards every alert of `events` to the sessions of its run until the stream ends.
    func forwardAlerts(from events: AsyncStream<MonitorEvent>) async {
        for await event in events {
            guard case .alert(let alert) = event else { continue }
            let message = Self.serverMessage(alert)
            for writer in writers(of: alert.run) {
                try? await writer.write(message)
            }
        }
    }

    static func serverMessage(_ alert: AlertRecord) -> Infoplane_V1_ServerMessage {
        var wire = Infoplane_V1_Alert()
        wire.run = alert.run
        wire.layer = alert.layer
        wire.kind = alert.kind.rawValue
        switch alert.severity {
        case .info: wire.severity = .info
        case .warning: wire.severity = .warning
        case .critical: wire.severity = .critical
        }
        wire.step = alert.step
        wire.message = alert.message
        wire.evidenceJson = alert.evidenceJSON
        wire.timeUnixNanos = UInt64(max(0, alert.time.timeIntervalSince1970 * 1e9))
        var out = Infoplane_V1_ServerMessage()
        out.alert = wire
        return out
    }
}
