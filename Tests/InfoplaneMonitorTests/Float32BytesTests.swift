import Testing
@testable import InfoplaneMonitor

@Suite struct Float32BytesTests {
    /// Values at an odd byte offset (as they lie inside a protobuf frame) read back exactly,
    /// and a snapshot holding them equals one holding the same `[Float]`.
    @Test func valuesAtAnyAlignmentReadAsTheFloatsTheyEncode() {
        let floats: [Float] = [1.5, -0.0, 3.25e-7, -65504, 42, .pi, 1e30, -2]
        let encoded = floats.flatMap { f in withUnsafeBytes(of: f.bitPattern.littleEndian) { Array($0) } }
        let frame: [UInt8] = [9, 9, 9] + encoded + [7]
        let bytes = frame.withUnsafeBytes { raw in
            Float32Bytes(owner: frame, bytes: UnsafeRawBufferPointer(rebasing: raw[3..<(3 + encoded.count)]))
        }
        #expect(bytes.count == floats.count)
        #expect((0..<bytes.count).map { bytes[$0] } == floats)
        #expect(bytes.floats == floats)

        let held = SnapshotValues.float32Bytes(bytes)
        #expect(held == .floats(floats))
        #expect(held != .floats(floats.reversed()))
        #expect(held != .integers([1, 2, 3, 4, 5, 6, 7, 8]))
        #expect(held.doubles() == floats.map(Double.init))
        var row = [Float](repeating: 0, count: 3)
        row.withUnsafeMutableBufferPointer { held.copyFloats(from: 4, into: $0) }
        #expect(row == [42, .pi, 1e30])
    }
}
