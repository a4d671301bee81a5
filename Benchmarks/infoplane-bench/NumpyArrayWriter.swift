import Foundation

/// Writes the `.npy` files the Python reference estimators read (`bench estimators`).
enum NumpyArrayWriter {
    /// Writes a C-order little-endian float64 (or int64) array in .npy version 1.0.
    static func write(values: [Double], shape: [Int], to path: String, asInt64: Bool = false) throws {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(asInt64 ? "<i8" : "<f8")', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        var payload = [UInt8]()
        payload.reserveCapacity(values.count * 8)
        for v in values {
            let bits = asInt64 ? UInt64(bitPattern: Int64(v)) : v.bitPattern
            for b in 0..<8 { payload.append(UInt8((bits >> (8 * UInt64(b))) & 0xFF)) }
        }
        data.append(contentsOf: payload)
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw NumpyArrayWriteError(path: path)
        }
    }
}

/// The `.npy` file could not be created.
struct NumpyArrayWriteError: Error, CustomStringConvertible {
    var path: String
    var description: String { "cannot write \(path)" }
}
