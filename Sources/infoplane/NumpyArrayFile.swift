import Foundation

/// A NumPy `.npy` array (format versions 1–3, C order, little-endian): float32/float64
/// values and int8…int64/uint8…uint64 labels. Reading checks the header, shape and size
/// and says in one line what is wrong.
struct NumpyArrayFile {
    enum DType: String {
        case float32 = "f4", float64 = "f8"
        case int8 = "i1", int16 = "i2", int32 = "i4", int64 = "i8"
        case uint8 = "u1", uint16 = "u2", uint32 = "u4", uint64 = "u8"

        var size: Int { Int(rawValue.dropFirst())! }
        var isFloat: Bool { self == .float32 || self == .float64 }
    }

    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    let shape: [Int]
    let dtype: DType
    /// Values as Double (exact for every integer up to 2^53).
    let values: [Double]

    var rows: Int { shape.first ?? 1 }
    var columns: Int { shape.count >= 2 ? shape[1...].reduce(1, *) : 1 }

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FormatError(description: "cannot read \(path): no such file or not readable")
        }
        try self.init(data: data, name: path)
    }

    init(data: Data, name: String) throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw FormatError(description: "\(name) is not a .npy file (missing \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw FormatError(description: "\(name): truncated .npy header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw FormatError(description: "\(name): unsupported .npy format version \(major)")
        }
        guard bytes.count >= headerStart + headerLength else { throw FormatError(description: "\(name): truncated .npy header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)

        guard let descr = NumpyArrayFile.value(of: "descr", in: header)?.trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")) else {
            throw FormatError(description: "\(name): .npy header has no descr")
        }
        let order = descr.first
        let code = descr.dropFirst()
        guard let dtype = DType(rawValue: String(code)),
              order == "<" || order == "|" || (order == "=" && true) else {
            throw FormatError(description: "\(name): dtype \(descr) not supported (use float32/float64 values, int32/int64 labels, little-endian)")
        }
        if NumpyArrayFile.value(of: "fortran_order", in: header)?.contains("True") == true {
            throw FormatError(description: "\(name) is Fortran-ordered: save it with np.ascontiguousarray(a)")
        }
        guard let shapeText = NumpyArrayFile.value(of: "shape", in: header) else {
            throw FormatError(description: "\(name): .npy header has no shape")
        }
        let shape = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            .split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !shape.isEmpty, shape.count <= 2 else {
            throw FormatError(description: "\(name) has shape (\(shapeText)): expected (N,) or (N, d)")
        }
        let count = shape.reduce(1, *)
        let payload = headerStart + headerLength
        guard bytes.count - payload == count * dtype.size else {
            throw FormatError(description: "\(name): shape (\(shapeText)) of \(dtype) needs \(count * dtype.size) bytes, file has \(bytes.count - payload)")
        }
        self.shape = shape
        self.dtype = dtype
        var out = [Double](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + payload
            for i in 0..<count {
                let p = base + i * dtype.size
                switch dtype {
                case .float32: out[i] = Double(Float(bitPattern: p.loadUnaligned(as: UInt32.self).littleEndian))
                case .float64: out[i] = Double(bitPattern: p.loadUnaligned(as: UInt64.self).littleEndian)
                case .int8: out[i] = Double(p.loadUnaligned(as: Int8.self))
                case .int16: out[i] = Double(p.loadUnaligned(as: Int16.self).littleEndian)
                case .int32: out[i] = Double(p.loadUnaligned(as: Int32.self).littleEndian)
                case .int64: out[i] = Double(p.loadUnaligned(as: Int64.self).littleEndian)
                case .uint8: out[i] = Double(p.loadUnaligned(as: UInt8.self))
                case .uint16: out[i] = Double(p.loadUnaligned(as: UInt16.self).littleEndian)
                case .uint32: out[i] = Double(p.loadUnaligned(as: UInt32.self).littleEndian)
                case .uint64: out[i] = Double(p.loadUnaligned(as: UInt64.self).littleEndian)
                }
            }
        }
        self.values = out
    }

    /// The text after `'key':` up to the next top-level comma (tuples kept whole).
    private static func value(of key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var out = ""
        for ch in header[range.upperBound...] {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if (ch == "," && depth == 0) || ch == "}" { break }
            out.append(ch)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }
}
