/// One Server-Sent Events message (https://html.spec.whatwg.org/multipage/server-sent-events.html).
struct ServerSentEvent: Sendable, Equatable {
    var id: String?
    var event: String?
    /// One or more lines; each becomes a `data:` line.
    var data: String

    /// The wire form, ending with the blank line that dispatches the event.
    var text: String {
        var out = ""
        if let id { out += "id: \(id)\n" }
        if let event { out += "event: \(event)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { out += "data: \(line)\n" }
        return out + "\n"
    }

    /// A comment line (ignored by clients; keeps proxies and idle timers from closing the stream).
    static func comment(_ text: String) -> String { ": \(text)\n\n" }
}
