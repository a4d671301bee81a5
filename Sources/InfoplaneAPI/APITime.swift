import Foundation

/// Times as the API writes them: ISO 8601 UTC with milliseconds, `2026-11-25T13:45:12.345Z`.
public enum APITime {
    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// The text of `date` (its milliseconds truncated, not rounded).
    public static func string(_ date: Date) -> String {
        date.formatted(style)
    }

    /// The time a text of `string(_:)` denotes: the middle of its millisecond, so that
    /// `string(date(text)!) == text` (a parsed time lands next to a millisecond boundary,
    /// where truncation could give the millisecond before). Nil for other text.
    public static func date(_ text: String) -> Date? {
        guard let parsed = (try? Date(text, strategy: style)) ?? (try? Date(text, strategy: Date.ISO8601FormatStyle())) else {
            return nil
        }
        let milliseconds = (parsed.timeIntervalSince1970 * 1000).rounded()
        return Date(timeIntervalSince1970: milliseconds / 1000 + 0.0005)
    }
}
