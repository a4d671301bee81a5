import Foundation
import InfoplaneMonitor
import InfoplaneStore

/// The configuration file decodes onto `DaemonConfiguration` as a whole: every table and
/// key through one `Decodable` path, over the defaults (or over the configuration in
/// `userInfo[.configurationBase]`). A key of the wrong type, out of range or unknown is a
/// `ConfigurationError` naming it.
extension DaemonConfiguration: Decodable {
    public init(from decoder: any Decoder) throws {
        self = decoder.userInfo[.configurationBase] as? DaemonConfiguration ?? DaemonConfiguration()
        let file = try decoder.container(keyedBy: ConfigurationKey.self)
        for table in file.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            let name = table.stringValue
            guard case .table = try file.decode(ConfigurationValue.self, forKey: table) else {
                throw ConfigurationError(key: name, problem: "expected a table [\(name)]; known tables are " + Self.knownTables)
            }
            switch name {
            case "ingest": try decodeIngest(file.nestedContainer(keyedBy: ConfigurationKey.self, forKey: table))
            case "daemon": try decodeDaemon(file.nestedContainer(keyedBy: ConfigurationKey.self, forKey: table))
            case "http": try decodeHTTP(file.nestedContainer(keyedBy: ConfigurationKey.self, forKey: table))
            case "assembly": monitor.assembly = try Self.section(table, of: file, over: monitor.assembly)
            case "compression": monitor.compression = try Self.section(table, of: file, over: monitor.compression)
            case "estimation": monitor.estimation = try Self.section(table, of: file, over: monitor.estimation)
            case "scheduler": monitor.scheduler = try Self.section(table, of: file, over: monitor.scheduler)
            case "alerts": monitor.alerts = try Self.section(table, of: file, over: monitor.alerts)
            case "store": store = try Self.section(table, of: file, over: store)
            default:
                throw ConfigurationError(key: name, problem: "unknown table; known tables are " + Self.knownTables)
            }
        }
    }

    private static var knownTables: String { tables.map { "[\($0)]" }.joined(separator: ", ") }

    private mutating func decodeIngest(_ table: KeyedDecodingContainer<ConfigurationKey>) throws {
        for key in table.sortedKeys {
            let name = "ingest.\(key.stringValue)"
            switch key.stringValue {
            case "socket_path":
                let path = try table.string(key, name)
                ingest.socketPath = path.isEmpty ? nil : path
            case "socket_mode":
                let text = try table.string(key, name)
                guard let mode = UInt16(text, radix: 8), mode <= 0o777 else {
                    throw ConfigurationError(key: name, problem: "\"\(text)\" is not an octal mode such as \"0660\"")
                }
                ingest.socketMode = mode
            case "tcp":
                try setTCP(try table.string(key, name), key: name)
            default:
                guard let limit = IngestLimit.named(name) else { throw Self.unknownKey(name) }
                try set(limit, try table.integer(key, name), as: name)
            }
        }
    }

    private mutating func decodeDaemon(_ table: KeyedDecodingContainer<ConfigurationKey>) throws {
        for key in table.sortedKeys {
            let name = "daemon.\(key.stringValue)"
            switch key.stringValue {
            case "state_dir": stateDirectory = try table.string(key, name)
            case "log_level": try setLogLevel(try table.string(key, name), key: name)
            case "status_interval_seconds":
                let seconds = try table.integer(key, name)
                guard (1...3600).contains(seconds) else {
                    throw ConfigurationError(key: name, problem: "\(seconds) is out of range 1...3600")
                }
                statusIntervalSeconds = seconds
            case "sink": try setSink(try table.string(key, name), key: name)
            case "sink_report":
                let path = try table.string(key, name)
                sinkReportPath = path.isEmpty ? nil : path
            default: throw Self.unknownKey(name)
            }
        }
    }

    private mutating func decodeHTTP(_ table: KeyedDecodingContainer<ConfigurationKey>) throws {
        for key in table.sortedKeys {
            let name = "http.\(key.stringValue)"
            switch key.stringValue {
            case "listen": try setHTTP(try table.string(key, name), key: name)
            default: throw Self.unknownKey(name)
            }
        }
    }

    private static func unknownKey(_ name: String) -> ConfigurationError {
        ConfigurationError(key: name, problem: "unknown key; known keys: " + documentedKeys.map(\.key).joined(separator: ", "))
    }

    /// Decodes a section over `base` (`ConfigurationCoding`: keys left out keep their
    /// values) and refuses keys the section does not know: every key given must survive a
    /// round trip through the decoded value.
    private static func section<T: Codable>(
        _ table: ConfigurationKey, of file: KeyedDecodingContainer<ConfigurationKey>, over base: T
    ) throws -> T {
        let name = table.stringValue
        let given = try file.decode(ConfigurationValue.self, forKey: table)
        let value: T
        do {
            value = try ConfigurationCoding.decode(from: given, over: base)
        } catch let DecodingError.dataCorrupted(context) {
            throw ConfigurationError(key: path(name, context.codingPath), problem: context.debugDescription)
        } catch let DecodingError.typeMismatch(type, context) {
            throw ConfigurationError(key: path(name, context.codingPath),
                                     problem: "expected \(type): \(context.debugDescription)")
        } catch let DecodingError.valueNotFound(type, context) {
            throw ConfigurationError(key: path(name, context.codingPath), problem: "expected \(type)")
        } catch {
            throw ConfigurationError(key: name, problem: "\(error)")
        }
        let known = try ConfigurationValue(json: ConfigurationCoding.encode(value))
        if let unknown = given.firstKey(unknownTo: known, path: name) {
            throw ConfigurationError(key: unknown, problem: "unknown key; [\(name)] knows: \(known.keys.joined(separator: ", "))")
        }
        return value
    }

    /// `table.key.key…` as the file spells it (the decoder names the properties).
    private static func path(_ table: String, _ codingPath: [any CodingKey]) -> String {
        let keys = codingPath.map { key in
            key.intValue == nil ? ConfigurationCoding.snakeCase(key.stringValue) : key.stringValue
        }
        return ([table] + keys).joined(separator: ".")
    }
}

extension CodingUserInfoKey {
    /// The `DaemonConfiguration` a file is decoded over (default: the defaults).
    public static let configurationBase = CodingUserInfoKey(rawValue: "infoplane.configurationBase")!
}

/// A key of the configuration file, whatever it is.
struct ConfigurationKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension ConfigurationValue {
    /// A table's keys, sorted; none for other values.
    var keys: [String] {
        guard case .table(let t) = self else { return [] }
        return t.keys.sorted()
    }

    /// The first key (as `path.key`) of this table, or of a table in it, that `known`
    /// does not have.
    func firstKey(unknownTo known: ConfigurationValue, path: String) -> String? {
        guard case .table(let given) = self else { return nil }
        let knownTable: [String: ConfigurationValue]
        if case .table(let t) = known { knownTable = t } else { knownTable = [:] }
        for key in given.keys.sorted() {
            guard let sub = knownTable[key] else { return "\(path).\(key)" }
            if let found = given[key]!.firstKey(unknownTo: sub, path: "\(path).\(key)") { return found }
        }
        return nil
    }
}

extension KeyedDecodingContainer where Key == ConfigurationKey {
    var sortedKeys: [ConfigurationKey] { allKeys.sorted { $0.stringValue < $1.stringValue } }

    /// The string at `key`; `name` is the key as the file spells it, for the error.
    func string(_ key: ConfigurationKey, _ name: String) throws -> String {
        if let s = try? decode(String.self, forKey: key) { return s }
        throw ConfigurationError(key: name, problem: "expected a string, got \(try decode(ConfigurationValue.self, forKey: key))")
    }

    /// The integer at `key`; `name` is the key as the file spells it, for the error.
    func integer(_ key: ConfigurationKey, _ name: String) throws -> Int {
        if case .integer(let i) = try decode(ConfigurationValue.self, forKey: key) { return i }
        throw ConfigurationError(key: name, problem: "expected an integer, got \(try decode(ConfigurationValue.self, forKey: key))")
    }
}
