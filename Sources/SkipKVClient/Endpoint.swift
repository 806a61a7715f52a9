/// Where a server listens.
public enum Endpoint: Sendable, Equatable, CustomStringConvertible {
    /// A host name or address, resolved with getaddrinfo (IPv4 and IPv6).
    case tcp(host: String, port: Int)
    case unix(path: String)

    /// `host:port` or the socket path, as redis-cli shows them in prompts and errors.
    public var description: String {
        switch self {
        case .tcp(let host, let port): return "\(host):\(port)"
        case .unix(let path): return path
        }
    }
}
