import InfoplaneProtocol
@testable import InfoplaneServer
import NIOCore
import NIOEmbedded
import Testing

/// `ClientMessageDecoder` on an `EmbeddedChannel`: a frame becomes a `ClientMessage`, a
/// large Snapshot's tensor stays in the frame buffer, and bytes that are no
/// `ClientMessage` become a malformed-message report (the stream goes on).
@Suite struct ClientMessageDecoderTests {
    func decode(_ frame: ByteBuffer, checked: Range<Int>? = nil, on channel: EmbeddedChannel) throws -> IngestInbound? {
        try channel.writeInbound(AssembledFrame(bytes: frame, checkedFiniteFloat32: checked))
        return try channel.readInbound(as: IngestInbound.self)
    }

    func body(_ message: Infoplane_V1_ClientMessage) throws -> ByteBuffer {
        ByteBuffer(bytes: try message.serializedBytes() as [UInt8])
    }

    @Test func aSmallMessageIsDecodedWhole() throws {
        let channel = EmbeddedChannel(handler: ClientMessageDecoder())
        let hello = WireFrames.hello(run: "decoded", sequence: 0)
        let frame = try body(hello)
        guard case .message(let message, let wireBytes, let values, let checked)? = try decode(frame, on: channel) else {
            Issue.record("no message")
            return
        }
        #expect(message == hello)
        #expect(wireBytes == frame.readableBytes && values == nil && !checked)
    }

    @Test func aLargeSnapshotsValuesStayInTheFrame() throws {
        let channel = EmbeddedChannel(handler: ClientMessageDecoder())
        let snapshot = WireFrames.snapshot(sequence: 4, rows: 64, columns: 32)  // 8 KiB of F32
        let frame = try body(snapshot)
        guard case .message(let message, _, let values?, _)? = try decode(frame, on: channel) else {
            Issue.record("no split snapshot")
            return
        }
        #expect(message.sequence == 4)
        #expect(message.snapshot.values.data.isEmpty, "the tensor bytes are not copied into the message")
        #expect(values.readableBytes == 64 * 32 * 4)
        #expect(Array(values.readableBytesView) == Array(snapshot.snapshot.values.data))
    }

    @Test func bytesThatAreNoClientMessageAreReportedAndTheStreamGoesOn() throws {
        let channel = EmbeddedChannel(handler: ClientMessageDecoder())
        guard case .malformed(let reason)? = try decode(ByteBuffer(bytes: [0xff, 0xff, 0xff]), on: channel) else {
            Issue.record("not reported as malformed")
            return
        }
        #expect(!reason.isEmpty)
        guard case .message(let next, _, _, _)? = try decode(try body(WireFrames.heartbeat(sequence: 2)), on: channel) else {
            Issue.record("the next frame was not decoded")
            return
        }
        #expect(next.sequence == 2)
    }
}
