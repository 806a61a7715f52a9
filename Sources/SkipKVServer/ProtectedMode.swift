#if canImport(Glibc)
import Glibc
#endif

/// Redis's protected mode: while it is on (`protected-mode yes`, the default) and no password
/// is set, a client connecting over TCP from any address other than exactly 127.0.0.1 or ::1
/// gets Redis's explanation and is disconnected; Unix socket clients are local. This is the
/// condition of Redis 7's `clientAcceptHandler` (`islocalClient` compares the peer's address
/// with those two strings, so 127.0.0.2 is refused too), whatever `bind` says.
enum ProtectedMode {
    /// Redis 7.0's reply, byte for byte (its "Setup a an" included), so clients and operators
    /// see what redis-server would send them.
    static let denied: StaticString = """
        -DENIED Redis is running in protected mode because protected mode is enabled and no \
        password is set for the default user. In this mode connections are only accepted from the \
        loopback interface. If you want to connect from external computers to Redis you may adopt \
        one of the following solutions: 1) Just disable protected mode sending the command \
        'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from \
        the same host the server is running, however MAKE SURE Redis is not publicly accessible \
        from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) \
        Alternatively you can just disable the protected mode by editing the Redis configuration \
        file, and setting the protected mode option to 'no', and then restarting the server. 3) \
        If you started the server manually just for testing, restart it with the \
        '--protected-mode no' option. 4) Setup a an authentication password for the default user. \
        NOTE: You only need to do one of the above things in order for the server to start \
        accepting connections from the outside.\r\n
        """

    /// Whether the peer of a TCP connection is served while the protection is active.
    static func isLocal(_ peer: sockaddr_storage) -> Bool {
        switch Int32(peer.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: peer) { $0.load(as: sockaddr_in.self) }
            return UInt32(bigEndian: address.sin_addr.s_addr) == 0x7F00_0001
        case AF_INET6:
            let address = withUnsafeBytes(of: peer) { $0.load(as: sockaddr_in6.self) }
            return withUnsafeBytes(of: address.sin6_addr) { bytes in
                bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1
            }
        default:
            return false
        }
    }
}
