import CStreamingCopy
import Foundation

/// Why a `Tensor` could not be decoded.
public enum TensorDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyShape
    case unsupportedDType(String)
    case byteCountMismatch(shape: [UInt32], dtype: String, expected: Int, actual: Int)
    case nonFinite(index: Int)

    public var description: String {
        switch self {
        case .emptyShape:
            return "the tensor has no shape; send shape [rows, features...]"
        case .unsupportedDType(let d):
            return "dtype \(d) is not supported here; use F32, F16, BF16 or F64 for values and I32 or I64 for ids and labels"
        case .byteCountMismatch(let shape, let dtype, let expected, let actual):
            return "shape \(shape) of \(dtype) needs \(expected) bytes but data holds \(actual); send row-major little-endian data with no padding"
        case .nonFinite(let index):
            return "value at flat index \(index) is NaN or infinite; only finite values can be estimated"
        }
    }
}

extension Infoplane_V1_DType {
    /// Bytes per element, nil for DTYPE_UNSPECIFIED or unknown values.
    public var elementSize: Int? {
        switch self {
        case .f32, .i32: return 4
        case .f16, .bf16: return 2
        case .f64, .i64: return 8
        default: return nil
        }
    }

    public var isFloatingPoint: Bool {
        switch self {
        case .f32, .f16, .bf16, .f64: return true
        default: return false
        }
    }

    public var name: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .bf16: return "BF16"
        case .f64: return "F64"
        case .i32: return "I32"
        case .i64: return "I64"
        case .unspecified: return "UNSPECIFIED"
        case .UNRECOGNIZED(let v): return "UNRECOGNIZED(\(v))"
        }
    }
}

extension Infoplane_V1_Tensor {
    /// Number of elements: the product of the shape (checked against overflow).
    public func elementCount() throws -> Int {
        guard !shape.isEmpty else { throw TensorDecodingError.emptyShape }
        var n = 1
        for s in shape {
            let (p, overflow) = n.multipliedReportingOverflow(by: Int(s))
            if overflow { throw TensorDecodingError.byteCountMismatch(shape: shape, dtype: dtype.name, expected: Int.max, actual: data.count) }
            n = p
        }
        return n
    }

    /// Checks that the tensor's bytes (`byteCount`, by default `data.count`) are exactly
    /// product(shape) × size(dtype).
    public func validatedElementCount(byteCount: Int? = nil) throws -> Int {
        let actual = byteCount ?? data.count
        guard let size = dtype.elementSize else { throw TensorDecodingError.unsupportedDType(dtype.name) }
        let n = try elementCount()
        let (expected, overflow) = n.multipliedReportingOverflow(by: size)
        guard !overflow, expected == actual else {
            throw TensorDecodingError.byteCountMismatch(shape: shape, dtype: dtype.name, expected: overflow ? Int.max : expected, actual: actual)
        }
        return n
    }

    /// Decodes a floating-point tensor into `Float`s, rejecting NaN and infinity.
    /// F64 values outside Float's range become infinite and are rejected too.
    ///
    /// F32 (the common case) is copied into uninitialised storage in 64 KiB blocks, each
    /// checked for non-finite values while it is still in cache (one pass over memory, the
    /// check vectorised); the index of a bad value is searched only when there is one.
    public func decodeFloats() throws -> [Float] {
        try data.withUnsafeBytes { try decodeFloats(bytes: $0) }
    }

    /// `decodeFloats()` for a tensor whose data is held elsewhere (the ingest server leaves a
    /// snapshot's values in the frame buffer, see `SnapshotValuesSplitter`): `bytes` stand
    /// for `data`.
    public func decodeFloats(bytes raw: UnsafeRawBufferPointer) throws -> [Float] {
        let n = try validatedElementCount(byteCount: raw.count)
        guard dtype.isFloatingPoint else { throw TensorDecodingError.unsupportedDType(dtype.name) }
        let dtype = self.dtype
        var sawNonFinite = false
        let out = [Float](unsafeUninitializedCapacity: n) { dst, initialized in
            switch dtype {
            case .f32:
                // Little-endian host: the bytes are the values.
                let block = 16_384
                var start = 0
                while start < n {
                    let count = min(block, n - start)
                    let target = UnsafeMutableBufferPointer(rebasing: dst[start..<(start + count)])
                    UnsafeMutableRawBufferPointer(target).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[(start * 4)..<((start + count) * 4)]))
                    if Self.containsNonFinite(UnsafeBufferPointer(target)) { sawNonFinite = true }
                    start += count
                }
            case .f64:
                for i in 0..<n { dst[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))) }
                sawNonFinite = Self.containsNonFinite(UnsafeBufferPointer(dst))
            case .f16:
                for i in 0..<n { dst[i] = Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))) }
                sawNonFinite = Self.containsNonFinite(UnsafeBufferPointer(dst))
            case .bf16:
                for i in 0..<n { dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16) }
                sawNonFinite = Self.containsNonFinite(UnsafeBufferPointer(dst))
            default:
                for i in 0..<n { dst[i] = 0 }
            }
            initialized = n
        }
        if sawNonFinite, let bad = out.firstIndex(where: { !$0.isFinite }) { throw TensorDecodingError.nonFinite(index: bad) }
        return out
    }

    /// True when some value is NaN or infinite (exponent bits all ones).
    static func containsNonFinite(_ values: UnsafeBufferPointer<Float>) -> Bool {
        containsNonFinite(float32: UnsafeRawBufferPointer(values))
    }

    /// `containsNonFinite` over little-endian F32 bytes at any alignment (the same check the
    /// frame assembly runs while copying: `infoplane_float32_contains_nonfinite`).
    static func containsNonFinite(float32 raw: UnsafeRawBufferPointer) -> Bool {
        guard let base = raw.baseAddress else { return false }
        return infoplane_float32_contains_nonfinite(base, raw.count / 4) != 0
    }

    /// Checks an F32 tensor held in `bytes` (shape, byte count, every value finite) without
    /// copying it; returns the element count. For values the caller keeps in place.
    public func validateFloat32(bytes raw: UnsafeRawBufferPointer) throws -> Int {
        guard dtype == .f32 else { throw TensorDecodingError.unsupportedDType(dtype.name) }
        let n = try validatedElementCount(byteCount: raw.count)
        if Self.containsNonFinite(float32: raw),
           let bad = (0..<n).first(where: { !Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))).isFinite }) {
            throw TensorDecodingError.nonFinite(index: bad)
        }
        return n
    }

    /// Decodes an integer tensor (I32 or I64) into `Int64`s.
    public func decodeIntegers() throws -> [Int64] {
        try data.withUnsafeBytes { try decodeIntegers(bytes: $0) }
    }

    /// `decodeIntegers()` with `bytes` standing for `data`.
    public func decodeIntegers(bytes raw: UnsafeRawBufferPointer) throws -> [Int64] {
        let n = try validatedElementCount(byteCount: raw.count)
        var out = [Int64](repeating: 0, count: n)
        switch dtype {
        case .i32:
            for i in 0..<n { out[i] = Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))) }
        case .i64:
            for i in 0..<n { out[i] = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)) }
        default:
            break
        }
        guard dtype == .i32 || dtype == .i64 else { throw TensorDecodingError.unsupportedDType(dtype.name) }
        return out
    }

    /// A tensor of `Float`s in F32.
    public init(floats: [Float], shape: [Int]) {
        self.init()
        self.shape = shape.map { UInt32($0) }
        self.dtype = .f32
        self.data = floats.withUnsafeBytes { Data($0) }
    }

    /// A tensor of `Int64`s in I64.
    public init(int64s: [Int64], shape: [Int]) {
        self.init()
        self.shape = shape.map { UInt32($0) }
        self.dtype = .i64
        self.data = int64s.withUnsafeBytes { Data($0) }
    }
}
