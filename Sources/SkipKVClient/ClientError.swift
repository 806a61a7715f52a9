import SkipKVProtocol

/// Why talking to the server failed. Error *replies* are not errors here: they are
/// `RESPReply.error` values, since the connection stays usable after them.
public enum ClientError: Error, Sendable, Equatable {
    /// The connection could not be established; `reason` is the system's wording
    /// ("Connection refused", "Name or service not known").
    case connectFailed(Endpoint, reason: String)
    /// AUTH or HELLO was refused while setting up the connection; the message says which.
    case handshakeFailed(String)
    /// The server closed the connection.
    case closedByServer
    /// A send or receive failed; `reason` is the system's wording.
    case ioFailed(String)
    /// The server sent something that is not RESP.
    case protocolViolation(ReplyProtocolError)

    /// The line redis-cli would print for the same failure.
    public var message: String {
        switch self {
        case .connectFailed(let endpoint, let reason): return "Could not connect to \(endpoint): \(reason)"
        case .handshakeFailed(let message): return message
        case .closedByServer: return "Server closed the connection"
        case .ioFailed(let reason): return reason
        case .protocolViolation(let error): return error.message
        }
    }
}
