import Foundation

/// How the settings structs (`MonitorConfiguration` and its sections, `AlertThresholds`, the
/// store's) travel as JSON, the form the daemon reads its TOML file in: keys in snake_case by
/// the coders' key strategies, and every key optional. A JSON object decodes over a base
/// value (the defaults, or the configuration in effect): a key it gives replaces the base's
/// value, a key it leaves out, at any depth, keeps it. The structs themselves declare only
/// their properties with defaults and use the synthesized `Codable`.
public enum ConfigurationCoding {
    /// `value` as a JSON object with snake_case keys.
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(value)
    }

    /// Decodes the JSON object `json` (snake_case keys) over `base`.
    public static func decode<T: Codable>(from json: Data, over base: T) throws -> T {
        try decode(from: ConfigurationValue(json: json), over: base)
    }

    /// Decodes `given` (snake_case keys) over `base`.
    public static func decode<T: Codable>(from given: ConfigurationValue, over base: T) throws -> T {
        let filled = try ConfigurationValue(json: encode(base)).overlaid(with: given)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Decoded<T>.self, from: JSONEncoder().encode(filled)).value.get()
    }

    /// `T` or the error it threw as thrown: `JSONDecoder.decode` would report an error
    /// without a `DecodingError` context (a number the property's type cannot hold) as
    /// "not valid JSON".
    private struct Decoded<T: Decodable>: Decodable {
        var value: Result<T, any Error>

        init(from decoder: any Decoder) {
            value = Result { try T(from: decoder) }
        }
    }

    /// A property name as the configuration spells it: `maxAgeDays` → `max_age_days`.
    public static func snakeCase(_ name: String) -> String {
        name.reduce(into: "") { key, c in
            if c.isUppercase { key += "_" + c.lowercased() } else { key.append(c) }
        }
    }
}

/// Any value of the configuration (a TOML file read as JSON): to overlay a file on the
/// defaults, to say what was given where something else was expected, and to find keys a
/// section does not know.
public enum ConfigurationValue: Codable, Sendable, Equatable, CustomStringConvertible {
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([ConfigurationValue])
    case table([String: ConfigurationValue])

    public init(json: Data) throws {
        self = try JSONDecoder().decode(Self.self, from: json)
    }

    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer()
        if let b = try? value.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? value.decode(Int.self) {
            self = .integer(i)
        } else if let d = try? value.decode(Double.self) {
            self = .number(d)
        } else if let s = try? value.decode(String.self) {
            self = .string(s)
        } else if let a = try? value.decode([ConfigurationValue].self) {
            self = .array(a)
        } else {
            self = .table(try value.decode([String: ConfigurationValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var value = encoder.singleValueContainer()
        switch self {
        case .bool(let b): try value.encode(b)
        case .integer(let i): try value.encode(i)
        case .number(let d): try value.encode(d)
        case .string(let s): try value.encode(s)
        case .array(let a): try value.encode(a)
        case .table(let t): try value.encode(t)
        }
    }

    /// As a TOML value (tables inline), for errors.
    public var description: String {
        switch self {
        case .bool(let b): "\(b)"
        case .integer(let i): "\(i)"
        case .number(let d): "\(d)"
        case .string(let s): "\"\(s)\""
        case .array(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .table(let t): "{ " + t.keys.sorted().map { "\($0) = \(t[$0]!)" }.joined(separator: ", ") + " }"
        }
    }

    /// This value with `other` over it: tables merge key by key, anything else is replaced.
    public func overlaid(with other: ConfigurationValue) -> ConfigurationValue {
        guard case .table(let base) = self, case .table(let over) = other else { return other }
        return .table(base.merging(over) { $0.overlaid(with: $1) })
    }
}
