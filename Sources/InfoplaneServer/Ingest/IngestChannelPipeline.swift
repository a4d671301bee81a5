import InfoplaneProtocol
import NIOCore

/// The handlers of an ingest connection, in order: idle detection, framing, message
/// decoding and encoding, credits, the idle timeout's Error; then the session reads the
/// channel as an `NIOAsyncChannel`. One place for the server and the in-process tests.
enum IngestChannelPipeline {
    /// Adds the handlers to `channel` (on its event loop) and wraps it for a session.
    static func install(on channel: any Channel, configuration: IngestConfiguration, statistics: IngestStatistics,
                        memory: ConnectionMemoryAccount, peer: ConnectionPeer,
                        refusal: IngestRefusal?) throws -> IngestConnection {
        let ops = channel.pipeline.syncOperations
        try ops.addHandler(IdleStateHandler(readTimeout: .milliseconds(Int64(configuration.idleTimeoutMilliseconds))))
        try ops.addHandler(FrameAssemblingHandler(
            maximumFrameLength: configuration.maxMessageBytes, memoryAccount: memory,
            slowSender: .init(minimumBytesPerSecond: configuration.minimumFrameBytesPerSecond,
                              grace: .milliseconds(Int64(configuration.slowSenderGraceMilliseconds)))))
        try ops.addHandler(MessageToByteHandler(LengthPrefixedFrameEncoder()))
        try ops.addHandler(ClientMessageDecoder())
        try ops.addHandler(ServerMessageEncoder())
        try ops.addHandler(CreditGate(credits: configuration.credits, statistics: statistics))
        try ops.addHandler(IdleTimeoutHandler(timeoutMilliseconds: configuration.idleTimeoutMilliseconds))
        // Output half-closure lets a session send its last Error and then wait for the
        // client to close (see IngestSession.closeAfterLastWord).
        let async = try NIOAsyncChannel<IngestInbound, Infoplane_V1_ServerMessage>(
            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        return IngestConnection(channel: async, peer: peer, memory: memory, refusal: refusal)
    }
}
