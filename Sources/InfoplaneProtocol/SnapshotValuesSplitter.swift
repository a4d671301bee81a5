/// Finds the bulk bytes of a `ClientMessage` frame — `snapshot.values.data`, the tensor of a
/// Snapshot — so that the daemon can decode everything else with swift-protobuf while the
/// values stay where the socket put them.
///
/// swift-protobuf decodes a `bytes` field by copying it into a new `Data`: for a 16 MB
/// snapshot that copy, and the page faults of its fresh allocation, cost the ingest event
/// loop as much as reading the frame from the socket. The splitter walks the protobuf wire
/// format (tag, then varint / fixed / length-delimited payload) down the path
/// ClientMessage.snapshot (11) → Snapshot.values (8) → Tensor.data (3) and returns
///
/// - `header`: the frame with that one field left out and the two enclosing length prefixes
///   rewritten — a valid `ClientMessage` whose tensor has no `data`;
/// - `valuesData`: where the left-out bytes are in the frame.
///
/// It returns nil — decode the whole frame as usual — whenever the shortcut could change
/// the meaning: a field on the path that occurs more than once (protobuf merges repeated
/// message fields and keeps the last scalar), group wire types, anything malformed (the
/// full decode then reports it), or data too small to be worth it.
public enum SnapshotValuesSplitter {
    /// Frames whose tensor data is shorter than this are decoded whole.
    public static let minimumSplitBytes = 4096

    public struct Split: Equatable, Sendable {
        /// The frame without `snapshot.values.data`.
        public var header: [UInt8]
        /// Byte offsets of the tensor's data within the frame.
        public var valuesData: Range<Int>
    }

    static let snapshotField: UInt64 = 11
    static let valuesField: UInt64 = 8
    static let dataField: UInt64 = 3
    static let lengthDelimited: UInt64 = 2

    /// One field of a message: where its tag starts, where its payload starts and ends.
    struct FieldSpan {
        var start: Int
        var payload: Range<Int>
    }

    public static func split(_ frame: UnsafeRawBufferPointer) -> Split? {
        guard let snapshot = lengthDelimitedField(snapshotField, in: frame, range: 0..<frame.count),
              let values = lengthDelimitedField(valuesField, in: frame, range: snapshot.payload),
              let data = lengthDelimitedField(dataField, in: frame, range: values.payload),
              data.payload.count >= minimumSplitBytes
        else { return nil }

        let dataFieldBytes = data.payload.upperBound - data.start
        let tensorLength = values.payload.count - dataFieldBytes
        var snapshotBody: [UInt8] = []
        snapshotBody.reserveCapacity(snapshot.payload.count - dataFieldBytes + 10)
        snapshotBody += frame[snapshot.payload.lowerBound..<values.start]
        appendVarint(&snapshotBody, (valuesField << 3) | lengthDelimited)
        appendVarint(&snapshotBody, UInt64(tensorLength))
        snapshotBody += frame[values.payload.lowerBound..<data.start]
        snapshotBody += frame[data.payload.upperBound..<values.payload.upperBound]
        snapshotBody += frame[values.payload.upperBound..<snapshot.payload.upperBound]

        var header: [UInt8] = []
        header.reserveCapacity(frame.count - data.payload.count)
        header += frame[0..<snapshot.start]
        appendVarint(&header, (snapshotField << 3) | lengthDelimited)
        appendVarint(&header, UInt64(snapshotBody.count))
        header += snapshotBody
        header += frame[snapshot.payload.upperBound..<frame.count]
        return Split(header: header, valuesData: data.payload)
    }

    /// Where `snapshot.values.data` lies in a frame of `frameLength` bytes, read from the
    /// frame's first bytes only: tags and lengths are read, payloads skipped unread, so the
    /// prefix must reach the `data` field's length but not its bytes. nil when it does not, or
    /// when the path is not there. The first occurrence is taken: whoever relies on the range
    /// must compare it with `split` of the whole frame, which refuses repeated fields.
    public static func valuesData(inPrefix prefix: UnsafeRawBufferPointer, frameLength: Int) -> Range<Int>? {
        guard let snapshot = lengthDelimitedField(snapshotField, in: prefix, range: 0..<frameLength, firstOnly: true),
              let values = lengthDelimitedField(valuesField, in: prefix, range: snapshot.payload, firstOnly: true),
              let data = lengthDelimitedField(dataField, in: prefix, range: values.payload, firstOnly: true)
        else { return nil }
        return data.payload
    }

    /// Length-delimited field `number` among the fields in `range` of `bytes`, reading only
    /// the bytes that are there (`bytes` may be a prefix of the frame: payloads are skipped
    /// unread). `firstOnly`: the first occurrence; otherwise the single one, nil if repeated.
    /// nil also if it is absent, has another wire type, or the fields do not parse.
    static func lengthDelimitedField(_ number: UInt64, in bytes: UnsafeRawBufferPointer, range: Range<Int>,
                                     firstOnly: Bool = false) -> FieldSpan? {
        var found: FieldSpan?
        var index = range.lowerBound
        let readable = Swift.min(range.upperBound, bytes.count)
        while index < range.upperBound {
            let start = index
            guard let tag = readVarint(bytes, &index, limit: readable) else { return nil }
            let payloadStart: Int
            let payloadEnd: Int
            switch tag & 7 {
            case 0:
                guard readVarint(bytes, &index, limit: readable) != nil else { return nil }
                payloadStart = index; payloadEnd = index
            case 1:
                payloadStart = index; payloadEnd = index + 8
            case 5:
                payloadStart = index; payloadEnd = index + 4
            case 2:
                guard let length = readVarint(bytes, &index, limit: readable),
                      length <= UInt64(range.upperBound - index) else { return nil }
                payloadStart = index; payloadEnd = index + Int(length)
            default:
                return nil
            }
            guard payloadEnd <= range.upperBound else { return nil }
            if tag >> 3 == number {
                guard found == nil, tag & 7 == lengthDelimited else { return nil }
                found = FieldSpan(start: start, payload: payloadStart..<payloadEnd)
                if firstOnly { return found }
            }
            index = payloadEnd
        }
        return found
    }

    static func readVarint(_ bytes: UnsafeRawBufferPointer, _ index: inout Int, limit: Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < limit, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }

    static func appendVarint(_ out: inout [UInt8], _ value: UInt64) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
