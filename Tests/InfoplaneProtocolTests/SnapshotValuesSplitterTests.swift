import Foundation
import SwiftProtobuf
import Testing
@testable import InfoplaneProtocol

@Suite struct SnapshotValuesSplitterTests {
    func snapshotMessage(rows: Int = 64, columns: Int = 32, sequence: UInt64 = 7) -> Infoplane_V1_ClientMessage {
        var snapshot = Infoplane_V1_Snapshot()
        snapshot.run = "r"
        snapshot.step = 1200
        snapshot.epoch = 3
        snapshot.split = .validation
        snapshot.layer = "encoder.layer2"
        snapshot.role = .hidden
        snapshot.sampleIds = Infoplane_V1_Tensor(int64s: (0..<rows).map { Int64($0 * 3) }, shape: [rows])
        snapshot.values = Infoplane_V1_Tensor(floats: (0..<(rows * columns)).map { Float($0) * 0.25 - 7 }, shape: [rows, columns])
        snapshot.chunkIndex = 1
        snapshot.chunkCount = 3
        snapshot.frameLayerCount = 6
        var message = Infoplane_V1_ClientMessage()
        message.sequence = sequence
        message.snapshot = snapshot
        return message
    }

    /// Decodes the split's header and puts the data back: must equal the full decode.
    func reassembled(_ frame: [UInt8]) throws -> (Infoplane_V1_ClientMessage, SnapshotValuesSplitter.Split)? {
        guard let split = frame.withUnsafeBytes({ SnapshotValuesSplitter.split($0) }) else { return nil }
        var message = try Infoplane_V1_ClientMessage(serializedBytes: split.header)
        #expect(message.snapshot.values.data.isEmpty)
        message.snapshot.values.data = Data(frame[split.valuesData])
        return (message, split)
    }

    @Test func theHeaderIsTheMessageWithoutItsTensorBytes() throws {
        let message = snapshotMessage()
        let frame: [UInt8] = try message.serializedBytes()
        let (decoded, split) = try #require(try reassembled(frame))
        #expect(decoded == message)
        #expect(Data(frame[split.valuesData]) == message.snapshot.values.data)
        #expect(split.header.count < frame.count - split.valuesData.count)
    }

    @Test func fieldsInAnyOrderAndUnknownFieldsSurvive() throws {
        let message = snapshotMessage()
        // Re-order by concatenating single-field encodings: sequence after the snapshot, the
        // values tensor before the ids, an unknown field (number 99, varint) inside the tensor.
        var snapshotWithoutValues = message.snapshot
        snapshotWithoutValues.clearValues()
        var tensorBytes: [UInt8] = try message.snapshot.values.serializedBytes()
        tensorBytes = [0xf8, 0x06, 0x2a] + tensorBytes          // field 99, varint 42, first
        var snapshotBytes: [UInt8] = [0x42]
        SnapshotValuesSplitter.appendVarint(&snapshotBytes, UInt64(tensorBytes.count))
        snapshotBytes += tensorBytes
        snapshotBytes += try snapshotWithoutValues.serializedBytes()
        var frame: [UInt8] = [0x5a]
        SnapshotValuesSplitter.appendVarint(&frame, UInt64(snapshotBytes.count))
        frame += snapshotBytes
        frame += [0x08, 0x07]                                   // sequence = 7, last
        let full = try Infoplane_V1_ClientMessage(serializedBytes: frame)
        #expect(full.snapshot.values.unknownFields.data == Data([0xf8, 0x06, 0x2a]))
        let (decoded, _) = try #require(try reassembled(frame))
        #expect(decoded == full)
    }

    @Test func declinesWhereTheShortcutCouldChangeTheMeaning() throws {
        let message = snapshotMessage()
        let frame: [UInt8] = try message.serializedBytes()
        func split(_ bytes: [UInt8]) -> SnapshotValuesSplitter.Split? { bytes.withUnsafeBytes { SnapshotValuesSplitter.split($0) } }
        // Small tensors are decoded whole.
        #expect(split(try snapshotMessage(rows: 2, columns: 2).serializedBytes()) == nil)
        // Two snapshot fields merge in protobuf: decode whole.
        #expect(split(frame + frame) == nil)
        // Not a snapshot.
        var hello = Infoplane_V1_ClientMessage()
        hello.hello.runName = "r"
        #expect(split(try hello.serializedBytes()) == nil)
        // Truncated anywhere: never a split that claims bytes past the end.
        for cut in stride(from: 1, to: frame.count, by: 97) {
            #expect(split(Array(frame[0..<cut])) == nil, "cut at \(cut)")
        }
        // A group wire type (3) at the top level.
        #expect(split([0x0b] + frame) == nil)
    }

    @Test func aLaterOneofFieldStillWinsAfterTheSplit() throws {
        var goodbye = Infoplane_V1_ClientMessage()
        goodbye.goodbye.reason = "done"
        let frame: [UInt8] = try snapshotMessage().serializedBytes() + goodbye.serializedBytes()
        let full = try Infoplane_V1_ClientMessage(serializedBytes: frame)
        let split = try #require(frame.withUnsafeBytes { SnapshotValuesSplitter.split($0) })
        let header = try Infoplane_V1_ClientMessage(serializedBytes: split.header)
        guard case .goodbye = header.kind else { Issue.record("kind \(String(describing: header.kind))"); return }
        #expect(header == full)
    }

    @Test func decodesFloatsFromBytesHeldElsewhere() throws {
        let message = snapshotMessage()
        let frame: [UInt8] = try message.serializedBytes()
        let split = try #require(frame.withUnsafeBytes { SnapshotValuesSplitter.split($0) })
        let header = try Infoplane_V1_ClientMessage(serializedBytes: split.header)
        let floats = try frame.withUnsafeBytes { raw in
            try header.snapshot.values.decodeFloats(bytes: UnsafeRawBufferPointer(rebasing: raw[split.valuesData]))
        }
        #expect(floats == (try message.snapshot.values.decodeFloats()))
        #expect(throws: TensorDecodingError.byteCountMismatch(shape: [64, 32], dtype: "F32", expected: 8192, actual: 8188)) {
            try frame.withUnsafeBytes { raw in
                try header.snapshot.values.decodeFloats(bytes: UnsafeRawBufferPointer(rebasing: raw[split.valuesData.lowerBound..<(split.valuesData.upperBound - 4)]))
            }
        }
    }
}

@Suite struct SnapshotValuesPrefixTests {
    /// From any prefix that reaches the data field's length, the range equals the split's; a
    /// shorter prefix gives nil, never a wrong range.
    @Test func theValuesAreFoundFromTheFramesFirstBytes() throws {
        let message = SnapshotValuesSplitterTests().snapshotMessage(rows: 256, columns: 64)
        let frame: [UInt8] = try message.serializedBytes()
        let split = try #require(frame.withUnsafeBytes { SnapshotValuesSplitter.split($0) })
        var firstFound: Int?
        for length in stride(from: 0, through: frame.count, by: 13) {
            let found = frame.withUnsafeBytes { SnapshotValuesSplitter.valuesData(inPrefix: UnsafeRawBufferPointer(rebasing: $0[0..<length]), frameLength: frame.count) }
            if let found {
                #expect(found == split.valuesData, "prefix \(length)")
                if firstFound == nil { firstFound = length }
            } else {
                #expect(firstFound == nil, "prefix \(length) lost the range a shorter prefix found")
            }
        }
        #expect(try #require(firstFound) <= split.valuesData.lowerBound + 13)
    }
}
