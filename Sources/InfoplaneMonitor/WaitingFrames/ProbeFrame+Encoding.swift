import Foundation

#if _endian(big)
#error("ProbeFrame's stored form copies values in host byte order, which must be little-endian")
#endif

/// A stored frame that cannot be read back: what is wrong, and that the frame is skipped.
public struct FrameDecodingError: Error, CustomStringConvertible, Equatable {
    public var reason: String
    public var description: String { "a stored frame cannot be read (\(reason)); it is skipped" }
}

/// The stored form of an assembled probe frame, what the waiting-frame store keeps:
///
/// ```
/// "IPFRAME1"                      8 bytes, the format and its version
/// header length                   UInt32, little-endian
/// header                          JSON: key, epoch, partial, rows, and per layer its name,
///                                 role, columns, completeness and value type
/// sample ids                      rows × Int64
/// each layer's values             rows × columns × Float32 (or Int64 for integer layers)
/// ```
///
/// Numbers are little-endian. Values are copied as they are (no conversion), so a frame reads
/// back bit for bit; rows binned on arrival are not kept (the binning estimators bin the
/// values themselves, to the same codes).
extension ProbeFrame {
    static let storedFormatMagic = Array("IPFRAME1".utf8)

    /// The JSON header: what the frame is, and each layer's shape and value type (`integers`:
    /// Int64 values, else Float32).
    private struct StoredHeader: Codable {
        struct Layer: Codable {
            var name: String, role: LayerRole, columns: Int, complete: Bool, integers: Bool
        }

        var key: FrameKey, epoch: Int64, partial: Bool, rows: Int
        var layers: [Layer]
    }

    /// The frame in its stored form.
    func encoded() throws -> [UInt8] {
        let header = StoredHeader(
            key: key, epoch: epoch, partial: partial, rows: rows,
            layers: layers.map { layer in
                var integers = false
                if case .integers = layer.values { integers = true }
                return StoredHeader.Layer(name: layer.name, role: layer.role, columns: layer.columns,
                                          complete: layer.complete, integers: integers)
            })
        let headerBytes = try JSONEncoder().encode(header)
        var out: [UInt8] = []
        out.reserveCapacity(Self.storedFormatMagic.count + 4 + headerBytes.count + storedValueBytes)
        out += Self.storedFormatMagic
        withUnsafeBytes(of: UInt32(headerBytes.count).littleEndian) { out += $0 }
        out += headerBytes
        sampleIDs.withUnsafeBytes { out += $0 }
        for layer in layers {
            switch layer.values {
            case .floats(let v): v.withUnsafeBytes { out += $0 }
            case .float32Bytes(let v): v.withUnsafeBytes { out += $0 }
            case .integers(let v): v.withUnsafeBytes { out += $0 }
            }
        }
        return out
    }

    /// Bytes of the sample ids and values: what the stored form holds besides its header.
    var storedValueBytes: Int {
        sampleIDs.count * 8 + layers.reduce(0) { total, layer in
            if case .integers(let v) = layer.values { return total + v.count * 8 }
            return total + layer.values.count * 4
        }
    }

    /// Reads a frame back from its stored form.
    init(stored bytes: [UInt8]) throws {
        let magic = Self.storedFormatMagic
        guard bytes.count >= magic.count + 4, Array(bytes[0..<magic.count]) == magic else {
            throw FrameDecodingError(reason: "not a stored frame of format \(String(decoding: magic, as: UTF8.self))")
        }
        var offset = magic.count
        let headerLength = bytes.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) }
        offset += 4
        guard headerLength <= bytes.count - offset else { throw FrameDecodingError(reason: "header cut short") }
        let header: StoredHeader
        do {
            header = try JSONDecoder().decode(StoredHeader.self, from: Data(bytes[offset..<(offset + headerLength)]))
        } catch {
            throw FrameDecodingError(reason: "unreadable header: \(error)")
        }
        offset += headerLength

        func take<T>(_ count: Int, of type: T.Type) throws -> [T] {
            let (size, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
            guard count >= 0, !overflow, size <= bytes.count - offset else {
                throw FrameDecodingError(reason: "values cut short")
            }
            let values = [T](unsafeUninitializedCapacity: count) { out, initialized in
                bytes.withUnsafeBytes { source in
                    UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + size)]))
                }
                initialized = count
            }
            offset += size
            return values
        }

        let sampleIDs = try take(header.rows, of: Int64.self)
        var layers: [FrameLayer] = []
        layers.reserveCapacity(header.layers.count)
        for layer in header.layers {
            let (count, overflow) = header.rows.multipliedReportingOverflow(by: layer.columns)
            guard !overflow else { throw FrameDecodingError(reason: "layer \(layer.name) too large") }
            let values: SnapshotValues = layer.integers ? .integers(try take(count, of: Int64.self))
                                                        : .floats(try take(count, of: Float.self))
            layers.append(FrameLayer(name: layer.name, role: layer.role, columns: layer.columns, values: values,
                                     complete: layer.complete))
        }
        guard offset == bytes.count else { throw FrameDecodingError(reason: "\(bytes.count - offset) bytes past the last layer") }
        self.init(key: header.key, epoch: header.epoch, sampleIDs: sampleIDs, layers: layers, partial: header.partial)
    }
}
