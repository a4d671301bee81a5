@testable import InfoplaneMonitor
import Testing

/// A waiting frame's stored form reads back to the same frame, and damage is reported.
@Suite struct ProbeFrameEncodingTests {
    func frame() -> ProbeFrame {
        ProbeFrame(key: FrameKey(run: "r ü", step: 1_234_567_890_123, split: .validation), epoch: 7,
                   sampleIDs: [3, 9, 12],
                   layers: [FrameLayer(name: "x", role: .input, columns: 2, values: .floats([1, -2, .pi, 1e-30, -0, 5])),
                            FrameLayer(name: "h", role: .hidden, columns: 1, values: .floats([0.5, .greatestFiniteMagnitude, -1]),
                                       complete: false),
                            FrameLayer(name: "y", role: .label, columns: 1, values: .integers([0, -1, Int64.max]))],
                   partial: true)
    }

    @Test func aFrameReadsBackBitForBit() throws {
        let original = frame()
        let bytes = try original.encoded()
        #expect(try ProbeFrame(stored: bytes) == original)
        #expect(bytes.count > original.storedValueBytes)
        #expect(original.storedValueBytes == 3 * 8 + 6 * 4 + 3 * 4 + 3 * 8)
    }

    @Test func damageIsReportedNotTrusted() throws {
        let bytes = try frame().encoded()
        #expect(throws: FrameDecodingError.self) { try ProbeFrame(stored: Array(bytes.dropLast())) }
        #expect(throws: FrameDecodingError.self) { try ProbeFrame(stored: bytes + [0]) }
        #expect(throws: FrameDecodingError.self) { try ProbeFrame(stored: Array("IPFRAME0".utf8) + bytes.dropFirst(8)) }
        #expect(throws: FrameDecodingError.self) { try ProbeFrame(stored: Array(bytes.prefix(10))) }
    }
}
