import Foundation
import InfoplaneMonitor
import InfoplaneProtocol
import Logging
import NIOCore
import ServiceLifecycle

/// One client connection: the handshake, then every message in order, each answered by an
/// Ack once the sink has taken it, or by an Error.
///
/// Messages are processed one at a time, so acknowledgements are in order and an
/// acknowledged message has been handed to the sink before the next is read. On graceful
/// shutdown the session finishes the message in hand, tells the client the server is
/// stopping, and closes.
struct IngestSession {
    let connection: IngestConnection
    var channel: NIOAsyncChannel<IngestInbound, Infoplane_V1_ServerMessage> { connection.channel }
    let sessionID: UInt64
    let configuration: IngestConfiguration
    let sink: any SnapshotSink
    let statistics: IngestStatistics
    let registry: SessionRegistry
    let logger: Logger

    func run() async {
        var logger = logger
        logger[metadataKey: "session"] = "\(sessionID)"
        statistics.update { $0.openConnections += 1; $0.totalConnections += 1 }
        defer { statistics.update { $0.openConnections -= 1 } }

        var runName: String?
        var clean = false
        do {
            try await channel.executeThenClose { inbound, outbound in
                var iterator = inbound.cancelOnGracefulShutdown().makeAsyncIterator()
                if let refusal = connection.refusal {
                    logger[metadataKey: "peer"] = "\(connection.peer)"
                    try await outbound.write(refuse(refusal, sequence: 0, credits: 0, logger: logger))
                    await closeAfterLastWord(outbound: outbound, iterator: &iterator)
                    return
                }
                do {
                    while let item = try await iterator.next() {
                        let reply: Infoplane_V1_ServerMessage
                        var close = false
                        switch item {
                        case .malformed(let reason):
                            reply = refuse(IngestRefusal(.malformedMessage, "the frame is not a valid ClientMessage (\(reason)); serialise an infoplane.v1.ClientMessage"), sequence: 0, credits: 0, logger: logger)
                        case .message(let message, let wireBytes, let snapshotValues, let checked):
                            let wasBound = runName != nil
                            (reply, close) = await handle(message, wireBytes: wireBytes, snapshotValues: snapshotValues,
                                                          valuesCheckedFinite: checked, runName: &runName, logger: &logger)
                            if !wasBound, let run = runName {
                                connection.memory.bind(run: run)
                                await registry.register(run: run, session: sessionID, writer: outbound)
                            }
                            if case .goodbye = message.kind { clean = true }
                        }
                        try await outbound.write(reply)
                        if close {
                            await closeAfterLastWord(outbound: outbound, iterator: &iterator)
                            return
                        }
                    }
                    // The client closed its side, or the server is shutting down.
                    if Task.isShuttingDownGracefully {
                        let refusal = IngestRefusal(.shuttingDown, "the daemon is stopping; every acknowledged message was kept; reconnect when it is back", fatal: true)
                        try? await outbound.write(refuse(refusal, sequence: 0, credits: 0, logger: logger))
                    }
                } catch let error as FramingError {
                    let code: Infoplane_V1_ErrorCode
                    switch error {
                    case .frameTooLarge: code = .messageTooLarge
                    case .badVarint, .truncatedFrame: code = .badFraming
                    case .memoryBudgetExceeded, .allocationFailed: code = .memoryBudgetExceeded
                    case .senderTooSlow: code = .senderTooSlow
                    }
                    try? await outbound.write(refuse(IngestRefusal(code, error.description, fatal: true), sequence: 0, credits: 0, logger: logger))
                    await closeAfterLastWord(outbound: outbound, iterator: &iterator)
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
        if let runName {
            await registry.unregister(run: runName, session: sessionID)
            await sink.sessionEnded(run: runName, clean: clean)
            logger.info("session ended", metadata: ["run": "\(runName)", "clean": "\(clean)"])
        }
    }

    /// Ends a session so that the client reads the server's last message: closing a socket
    /// with unread input makes the kernel reset the connection, which can destroy the Error
    /// the client has not read yet. So: half-close our output (the client sees the Error,
    /// then end of stream), discard what the client still sends until it closes, and give up
    /// after two seconds.
    private func closeAfterLastWord(outbound: NIOAsyncChannelOutboundWriter<Infoplane_V1_ServerMessage>,
                                    iterator: inout some AsyncIteratorProtocol) async {
        outbound.finish()
        let channel = self.channel.channel
        let deadline = channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        defer { deadline.cancel() }
        while (try? await iterator.next()) != nil {}
    }

    /// Answers one message. Returns the reply and whether to close afterwards.
    private func handle(_ message: Infoplane_V1_ClientMessage, wireBytes: Int, snapshotValues: ByteBuffer?,
                        valuesCheckedFinite: Bool, runName: inout String?,
                        logger: inout Logger) async -> (Infoplane_V1_ServerMessage, Bool) {
        let sequence = message.sequence
        let credit = message.spendsCredit ? 1 : 0
        guard let bound = runName else {
            guard case .hello(let hello) = message.kind else {
                return (refuse(IngestRefusal(.helloRequired, "the first message of a session must be Hello", fatal: true), sequence: sequence, credits: credit, logger: logger), true)
            }
            do {
                let welcome = try await greet(hello)
                runName = hello.runName
                logger[metadataKey: "run"] = "\(hello.runName)"
                logger.info("session started", metadata: ["client": "\(hello.clientName)"])
                return (welcome, false)
            } catch let refusal as IngestRefusal {
                return (refuse(refusal, sequence: sequence, credits: 0, logger: logger), true)
            } catch let bad as RunOptionError {
                return (refuse(IngestRefusal(.invalidArgument, "Hello.options: \(bad)", fatal: true), sequence: sequence, credits: 0, logger: logger), true)
            } catch let failure as StoreFailure {
                return (refuse(IngestRefusal(failure.errorCode, failure.description, fatal: true), sequence: sequence, credits: 0, logger: logger), true)
            } catch {
                return (refuse(IngestRefusal(.internal, "could not register the run: \(error)", fatal: true), sequence: sequence, credits: 0, logger: logger), true)
            }
        }

        let validator = SnapshotValidator(runName: bound)
        do {
            switch message.kind {
            case .snapshot(let wire):
                let snapshot = try validator.validate(wire, valuesBytes: snapshotValues, valuesCheckedFinite: valuesCheckedFinite)
                try await sink.accept(snapshot)
                statistics.update { $0.snapshotsAccepted += 1; $0.bytesAccepted += wireBytes }
            case .scalars(let wire):
                let scalars = try validator.validate(wire)
                try await sink.accept(scalars)
                statistics.update { $0.scalarsAccepted += 1 }
            case .heartbeat:
                break
            case .goodbye:
                return (ack(sequence, credits: 0), true)
            case .hello:
                throw IngestRefusal(.duplicateHello, "this session already said Hello for run \"\(bound)\"; open a new connection for another run")
            case .none:
                throw IngestRefusal(.unknownMessageKind, "ClientMessage \(sequence) has no kind this server knows (protocol version \(InfoplaneProtocolVersion.current)); send Hello, Snapshot, Scalars, Heartbeat or Goodbye")
            }
            return (ack(sequence, credits: credit), false)
        } catch let refusal as IngestRefusal {
            return (refuse(refusal, sequence: sequence, credits: credit, logger: logger), refusal.fatal)
        } catch let rejection as SnapshotRejection {
            let code: Infoplane_V1_ErrorCode
            switch rejection.reason {
            case .frameMisaligned: code = .frameMisaligned
            case .badChunk: code = .badChunk
            case .tooManyLayers: code = .tooManyLayers
            case .memoryBudgetExceeded: code = .memoryBudgetExceeded
            case .unavailable: code = .internal
            }
            return (refuse(IngestRefusal(code, rejection.message), sequence: sequence, credits: credit, logger: logger), false)
        } catch let failure as StoreFailure {
            return (refuse(IngestRefusal(failure.errorCode, failure.description), sequence: sequence, credits: credit, logger: logger), false)
        } catch {
            return (refuse(IngestRefusal(.internal, "the monitor could not take the message: \(error)"), sequence: sequence, credits: credit, logger: logger), false)
        }
    }

    private func greet(_ hello: Infoplane_V1_Hello) async throws -> Infoplane_V1_ServerMessage {
        guard hello.protocolVersion == InfoplaneProtocolVersion.current else {
            throw IngestRefusal(.protocolVersionMismatch, "client speaks protocol version \(hello.protocolVersion), this server speaks version \(InfoplaneProtocolVersion.current); upgrade the client or the daemon so they match", fatal: true)
        }
        let name = hello.runName
        guard !name.isEmpty, name.utf8.count <= 128, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw IngestRefusal(.invalidArgument, "run_name must be 1 to 128 bytes without control characters", fatal: true)
        }
        let metadataBytes = hello.metadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        guard metadataBytes <= configuration.maxMetadataBytes else {
            throw IngestRefusal(.metadataTooLarge, "Hello.metadata holds \(metadataBytes) bytes, more than this daemon's \(configuration.maxMetadataBytes) (ingest.max_metadata_bytes); keep metadata to tags and settings, and send large data as snapshots or files", fatal: true)
        }
        let runID = try await sink.runStarted(RunDescriptor(
            name: name, clientName: hello.clientName, metadata: hello.metadata, options: hello.options.asDictionary))
        var welcome = Infoplane_V1_Welcome()
        welcome.protocolVersion = InfoplaneProtocolVersion.current
        welcome.sessionID = sessionID
        welcome.runID = runID
        welcome.runName = name
        welcome.maxMessageBytes = UInt64(configuration.maxMessageBytes)
        welcome.credits = UInt32(configuration.credits)
        welcome.heartbeatIntervalMs = UInt32(configuration.heartbeatIntervalMilliseconds)
        welcome.idleTimeoutMs = UInt32(configuration.idleTimeoutMilliseconds)
        welcome.serverVersion = InfoplaneServerVersion.string
        var out = Infoplane_V1_ServerMessage()
        out.welcome = welcome
        return out
    }

    private func ack(_ sequence: UInt64, credits: Int) -> Infoplane_V1_ServerMessage {
        var ack = Infoplane_V1_Ack()
        ack.sequence = sequence
        ack.credits = UInt32(credits)
        var out = Infoplane_V1_ServerMessage()
        out.ack = ack
        return out
    }

    private func refuse(_ refusal: IngestRefusal, sequence: UInt64, credits: Int, logger: Logger) -> Infoplane_V1_ServerMessage {
        statistics.countRefusal(refusal.code)
        logger.warning("refused a message", metadata: [
            "code": "\(refusal.code.logName)", "sequence": "\(sequence)", "fatal": "\(refusal.fatal)",
            "reason": "\(refusal.message)",
        ])
        return refusal.serverMessage(sequence: sequence, credits: credits)
    }
}

extension Infoplane_V1_RunOptions {
    /// The options that were set, under the names the monitor's `RunSettings` reads.
    var asDictionary: [String: String] {
        var out: [String: String] = [:]
        if !estimators.isEmpty { out["estimators"] = estimators.joined(separator: ",") }
        if compressDims != 0 { out["dimension"] = "\(compressDims)" }
        if !compression.isEmpty { out["compression"] = compression }
        if bins != 0 { out["bins"] = "\(bins)" }
        if !binning.isEmpty { out["bin_range"] = binning }
        if binLow != 0 || binHigh != 0 {
            out["bin_lower"] = "\(binLow)"
            out["bin_upper"] = "\(binHigh)"
        }
        if k != 0 {
            out["ksg_k"] = "\(k)"
            out["mixed_k"] = "\(k)"
        }
        if noiseSigma != 0 { out["noise_sigma"] = "\(noiseSigma)" }
        return out
    }
}
