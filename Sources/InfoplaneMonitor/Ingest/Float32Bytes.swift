/// Single-precision values read straight from bytes someone else owns: little-endian
/// IEEE-754 binary32, 4 bytes each, at any alignment.
///
/// The ingest server keeps a large F32 snapshot's values in the buffer the socket filled
/// (after checking every value is finite) instead of copying 16 MB into a `[Float]` per
/// frame; the monitor copies them once, when it lays the frame out. `owner` keeps the bytes
/// alive; whoever creates a `Float32Bytes` promises that nothing writes to them while it does.
public struct Float32Bytes: @unchecked Sendable {
    /// Keeps the memory alive (the server passes the frame's `ByteBuffer` slice).
    private let owner: any Sendable
    private let base: UnsafeRawPointer
    public let count: Int

    /// - Parameters:
    ///   - owner: holds `bytes` alive and unchanged for as long as this value exists.
    ///   - bytes: `4 × count` bytes.
    public init(owner: any Sendable, bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count % 4 == 0, "Float32Bytes needs whole 4-byte values")
        self.owner = owner
        self.base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 4)!
        self.count = bytes.count / 4
    }

    public subscript(index: Int) -> Float {
        precondition(index >= 0 && index < count, "index \(index) out of 0..<\(count)")
        return Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
    }

    /// The raw bytes (valid only inside `body`).
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count * 4))
    }

    /// Copies `length` values starting at `start` into `destination` (little-endian host).
    public func copy(from start: Int, length: Int, into destination: UnsafeMutableBufferPointer<Float>) {
        precondition(start >= 0 && length >= 0 && start + length <= count && length <= destination.count)
        UnsafeMutableRawBufferPointer(destination).copyMemory(
            from: UnsafeRawBufferPointer(start: base + start * 4, count: length * 4))
    }

    /// The values as an array.
    public var floats: [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            copy(from: 0, length: count, into: out)
            initialized = count
        }
    }
}

extension Float32Bytes: Equatable {
    /// Equal values, compared as `[Float]` compares them.
    public static func == (lhs: Float32Bytes, rhs: Float32Bytes) -> Bool {
        lhs.count == rhs.count && (0..<lhs.count).allSatisfy { lhs[$0] == rhs[$0] }
    }
}
