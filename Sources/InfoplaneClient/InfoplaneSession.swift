import Foundation
import InfoplaneProtocol

/// A client session with flow control: Hello/Welcome, then messages numbered in order,
/// never more in flight than the server's credits (it waits for Acks when out of credits).
/// Errors from the server are collected in `errors` rather than thrown, except fatal ones.
public final class InfoplaneSession {
    public let connection: InfoplaneConnection
    public private(set) var welcome = Infoplane_V1_Welcome()
    public private(set) var credits = 0
    public private(set) var nextSequence: UInt64 = 1
    public private(set) var acknowledged: [UInt64] = []
    public private(set) var errors: [Infoplane_V1_Error] = []
    public private(set) var alerts: [Infoplane_V1_Alert] = []

    public init(address: String) throws {
        connection = try InfoplaneConnection(address: address)
    }

    /// Says Hello and waits for Welcome. Throws the server's Error if refused.
    @discardableResult
    public func hello(run: String, client: String = "infoplane-swift", metadata: [String: String] = [:],
                      protocolVersion: UInt32 = InfoplaneProtocolVersion.current) throws -> Infoplane_V1_Welcome {
        var hello = Infoplane_V1_Hello()
        hello.protocolVersion = protocolVersion
        hello.clientName = client
        hello.runName = run
        hello.metadata = metadata
        var message = Infoplane_V1_ClientMessage()
        message.hello = hello
        try send(message)
        guard let reply = try connection.receive() else { throw InfoplaneClientError.closedByServer }
        switch reply.kind {
        case .welcome(let w):
            welcome = w
            credits = Int(w.credits)
            return w
        case .error(let e): throw InfoplaneClientError.server(e)
        default: throw InfoplaneClientError.unexpectedReply("\(reply)")
        }
    }

    /// Numbers and sends a message, first waiting for credit if it spends one.
    public func send(_ message: Infoplane_V1_ClientMessage) throws {
        var message = message
        message.sequence = nextSequence
        nextSequence += 1
        if message.spendsCredit {
            while credits <= 0 { try receiveOne() }
            credits -= 1
        }
        try connection.send(message)
    }

    public func send(snapshot: Infoplane_V1_Snapshot) throws {
        var m = Infoplane_V1_ClientMessage()
        m.snapshot = snapshot
        try send(m)
    }

    public func send(scalars: Infoplane_V1_Scalars) throws {
        var m = Infoplane_V1_ClientMessage()
        m.scalars = scalars
        try send(m)
    }

    /// Waits for every message sent so far to be answered.
    public func drain(timeout: Double = 30) throws {
        while UInt64(acknowledged.count + errors.filter { $0.sequence != 0 }.count) < nextSequence - 2 {
            try receiveOne(timeout: timeout)
        }
    }

    /// Tells the server the client is alive while it has nothing else to send (the server
    /// closes a session that sends nothing for its idle timeout; Welcome's
    /// `heartbeat_interval_ms` is the cadence it asks for). Spends no credit.
    public func heartbeat() throws {
        var m = Infoplane_V1_ClientMessage()
        m.heartbeat.clientTimeUnixNanos = UInt64(max(0, Date().timeIntervalSince1970 * 1e9))
        try send(m)
    }

    /// Sends Goodbye and waits for the server to acknowledge it and close.
    public func goodbye(reason: String = "done") throws {
        var m = Infoplane_V1_ClientMessage()
        m.goodbye.reason = reason
        try send(m)
        while try receiveOne(allowClose: true) {}
    }

    /// Reads one server message. Returns false when the server closed the connection.
    @discardableResult
    public func receiveOne(timeout: Double = 30, allowClose: Bool = false) throws -> Bool {
        guard let reply = try connection.receive(timeout: timeout) else {
            if allowClose { return false }
            throw InfoplaneClientError.closedByServer
        }
        switch reply.kind {
        case .ack(let a):
            acknowledged.append(a.sequence)
            credits += Int(a.credits)
        case .error(let e):
            errors.append(e)
            credits += Int(e.credits)
            if e.fatal { throw InfoplaneClientError.server(e) }
        case .alert(let a):
            alerts.append(a)
        case .welcome, .none:
            throw InfoplaneClientError.unexpectedReply("\(reply)")
        }
        return true
    }
}
