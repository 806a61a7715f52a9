import SkipKVProtocol

/// A session with a server that survives losing its connection: it connects lazily,
/// authenticates and switches protocol on every (re)connect, and replaces a connection the
/// server has closed.
///
/// A command that fails because the connection broke is not sent again (it may already have
/// run); the failure is reported and the next command reconnects.
public final class Client {
    public let settings: ConnectionSettings
    /// The current connection, nil while disconnected.
    public private(set) var connection: Connection?

    public init(settings: ConnectionSettings) {
        self.settings = settings
    }

    /// The live connection, connecting (with AUTH and HELLO as configured) if there is none
    /// or the server closed the previous one.
    @discardableResult
    public func connect() throws -> Connection {
        if let connection, !connection.isClosedByServer { return connection }
        connection = nil
        let fresh = try Connection.open(settings.endpoint, timeout: settings.connectTimeout)
        try Self.handshake(fresh, settings)
        connection = fresh
        return fresh
    }

    /// Runs one command, reconnecting first if needed. A failed connection is dropped
    /// before the error is rethrown, so the next call starts afresh.
    public func execute(_ arguments: [[UInt8]]) throws -> RESPReply {
        let current = try connect()
        do {
            return try current.execute(arguments)
        } catch {
            connection = nil
            throw error
        }
    }

    /// AUTH, then HELLO 3 when RESP3 is wanted: the order and messages of redis-cli, so the
    /// two tools fail alike. (HELLO 3 AUTH would save a round trip but cannot tell a wrong
    /// password from a server without RESP3.)
    private static func handshake(_ connection: Connection, _ settings: ConnectionSettings) throws {
        if let password = settings.password {
            var command = ["AUTH"]
            if let user = settings.user { command.append(user) }
            command.append(password)
            if case .error(let message) = try connection.execute(command) {
                throw ClientError.handshakeFailed("AUTH failed: " + String(decoding: message, as: UTF8.self))
            }
        }
        if settings.protocolVersion == .resp3 {
            if case .error(let message) = try connection.execute(["HELLO", "3"]) {
                throw ClientError.handshakeFailed("HELLO 3 failed: " + String(decoding: message, as: UTF8.self))
            }
        }
    }
}
