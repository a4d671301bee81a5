/// The body of every failed request: `{"error": {"status": 404, "message": "..."}}`.
public struct APIErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        /// The HTTP status code, repeated for clients that only keep the body.
        public var status: Int
        /// What is wrong, in a sentence that says what to do.
        public var message: String

        public init(status: Int, message: String) { self.status = status; self.message = message }
    }

    public var error: Detail

    public init(status: Int, message: String) { error = Detail(status: status, message: message) }
}
