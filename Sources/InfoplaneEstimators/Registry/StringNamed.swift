/// A type spelled by one string at the edges (JSON, TOML, the store): it encodes and
/// decodes as that string, and decoding fails for a string that names nothing.
public protocol StringNamed: RawRepresentable, Codable where RawValue == String {}

extension StringNamed {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let value = Self(rawValue: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown \(Self.self) '\(name)'")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A name from an open set: every string is one (`init(rawValue:)` cannot fail), typed so
/// that names of different kinds do not mix. Ordered by its spelling.
public protocol OpenName: StringNamed, Hashable, Comparable, CustomStringConvertible, Sendable {
    init(rawValue: String)
}

extension OpenName {
    public init(_ rawValue: String) { self.init(rawValue: rawValue) }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
