import SkipKVProtocol

/// Everything needed to (re)establish a session: where, as whom, and in which protocol.
public struct ConnectionSettings: Sendable, Equatable {
    public var endpoint: Endpoint
    /// ACL user name; nil authenticates as the default user with the password alone.
    public var user: String?
    public var password: String?
    /// RESP3 is requested with `HELLO 3` after authenticating.
    public var protocolVersion: RESPVersion
    /// Seconds to wait for the TCP handshake; nil waits as long as the system does.
    public var connectTimeout: Double?

    public init(
        endpoint: Endpoint,
        user: String? = nil,
        password: String? = nil,
        protocolVersion: RESPVersion = .resp2,
        connectTimeout: Double? = nil
    ) {
        self.endpoint = endpoint
        self.user = user
        self.password = password
        self.protocolVersion = protocolVersion
        self.connectTimeout = connectTimeout
    }
}
