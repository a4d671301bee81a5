import InfoplaneProtocol

/// Why the server refused a message: the `Error` sent back to the client.
struct IngestRefusal: Error, Sendable {
    var code: Infoplane_V1_ErrorCode
    var message: String
    /// The server closes the session after sending this.
    var fatal: Bool = false

    init(_ code: Infoplane_V1_ErrorCode, _ message: String, fatal: Bool = false) {
        self.code = code
        self.message = message
        self.fatal = fatal
    }

    /// The wire message answering the message numbered `sequence`, returning `credits`.
    func serverMessage(sequence: UInt64, credits: Int) -> Infoplane_V1_ServerMessage {
        var error = Infoplane_V1_Error()
        error.code = code
        error.message = message
        error.sequence = sequence
        error.fatal = fatal
        error.credits = UInt32(credits)
        var out = Infoplane_V1_ServerMessage()
        out.error = error
        return out
    }
}

extension Infoplane_V1_ErrorCode {
    /// The code's name as in the .proto, without the ERROR_CODE_ prefix, for logs.
    var logName: String {
        switch self {
        case .unspecified: return "UNSPECIFIED"
        case .protocolVersionMismatch: return "PROTOCOL_VERSION_MISMATCH"
        case .helloRequired: return "HELLO_REQUIRED"
        case .duplicateHello: return "DUPLICATE_HELLO"
        case .malformedMessage: return "MALFORMED_MESSAGE"
        case .unknownMessageKind: return "UNKNOWN_MESSAGE_KIND"
        case .messageTooLarge: return "MESSAGE_TOO_LARGE"
        case .badFraming: return "BAD_FRAMING"
        case .creditsExceeded: return "CREDITS_EXCEEDED"
        case .shapeMismatch: return "SHAPE_MISMATCH"
        case .sampleIdsMismatch: return "SAMPLE_IDS_MISMATCH"
        case .nonFiniteValues: return "NON_FINITE_VALUES"
        case .badChunk: return "BAD_CHUNK"
        case .negativeStep: return "NEGATIVE_STEP"
        case .unsupportedDtype: return "UNSUPPORTED_DTYPE"
        case .unknownRun: return "UNKNOWN_RUN"
        case .invalidArgument: return "INVALID_ARGUMENT"
        case .frameMisaligned: return "FRAME_MISALIGNED"
        case .idleTimeout: return "IDLE_TIMEOUT"
        case .shuttingDown: return "SHUTTING_DOWN"
        case .internal: return "INTERNAL"
        case .memoryBudgetExceeded: return "MEMORY_BUDGET_EXCEEDED"
        case .tooManyLayers: return "TOO_MANY_LAYERS"
        case .tooManyConnections: return "TOO_MANY_CONNECTIONS"
        case .metadataTooLarge: return "METADATA_TOO_LARGE"
        case .senderTooSlow: return "SENDER_TOO_SLOW"
        case .storeFull: return "STORE_FULL"
        case .storeUnavailable: return "STORE_UNAVAILABLE"
        case .UNRECOGNIZED(let v): return "UNRECOGNIZED(\(v))"
        }
    }
}
