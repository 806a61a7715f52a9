#if canImport(Glibc)
import Glibc
#endif

/// A listening socket, created with plain system calls so the server controls its options
/// (libuv 1.44 cannot set SO_REUSEPORT) and can accept with `accept4` from a libuv poll
/// handle, refusing clients over `maxclients` before allocating anything for them.
struct Listener: Sendable {
    enum Kind: Sendable {
        case tcp
        case unix
    }

    let descriptor: Int32
    let kind: Kind
    /// Printable local address, e.g. `127.0.0.1:7379` or the socket path.
    let name: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
        /// The `errno` of the failed call, 0 for a bad address.
        var code: Int32 = 0

        /// Whether Redis would go on without this address: `-address` (optional) not present
        /// on the machine, or any address of a protocol the machine lacks.
        func skippable(optional: Bool) -> Bool {
            (code == EADDRNOTAVAIL && optional)
                || [ENOPROTOOPT, EPROTONOSUPPORT, ESOCKTNOSUPPORT, EPFNOSUPPORT, EAFNOSUPPORT].contains(code)
        }
    }

    /// A TCP socket bound to `address`:`port` (port 0: an ephemeral port) and listening.
    /// `*` is every IPv4 address, `::*` every IPv6 address, as in Redis.
    static func tcp(address: String, port: Int, backlog: Int) throws -> Listener {
        var storage = sockaddr_storage()
        let length: socklen_t
        let family: Int32
        if address.contains(":") {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET6, address == "::*" ? "::" : address, &sin6.sin6_addr) == 1 else {
                throw Failure(description: "invalid bind address '\(address)'")
            }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: sin6, as: sockaddr_in6.self) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            family = AF_INET6
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            let text = address == "*" ? "0.0.0.0" : address
            guard inet_pton(AF_INET, text, &sin.sin_addr) == 1 else {
                throw Failure(description: "invalid bind address '\(address)'")
            }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: sin, as: sockaddr_in.self) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            family = AF_INET
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            let code = errno
            throw Failure(description: "socket: \(String(cString: strerror(code)))", code: code)
        }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if family == AF_INET6 {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, Int32(backlog)) == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "could not listen on \(address):\(port): \(String(cString: strerror(code)))", code: code)
        }
        return Listener(descriptor: fd, kind: .tcp, name: Self.localName(fd) ?? "\(address):\(port)")
    }

    /// A Unix domain socket at `path` (an existing file there is replaced) with permissions
    /// `permissions` (0: as the umask leaves them).
    static func unix(path: String, permissions: Int, backlog: Int) throws -> Listener {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw Failure(description: "unixsocket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(lastError())") }
        unlink(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, Int32(backlog)) == 0 else {
            let message = lastError()
            close(fd)
            throw Failure(description: "could not listen on unix socket \(path): \(message)")
        }
        if permissions != 0 { chmod(path, mode_t(permissions)) }
        return Listener(descriptor: fd, kind: .unix, name: path)
    }

    /// The port the socket is bound to (the ephemeral one when bound to 0).
    var port: Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Self.port(of: storage)
    }

    /// `ip:port` of the local end of socket `fd`.
    static func localName(_ fd: Int32) -> String? {
        describe(fd, getsockname)
    }

    /// `ip:port` of the remote end of socket `fd`.
    static func peerName(_ fd: Int32) -> String? {
        describe(fd, getpeername)
    }

    private static func describe(
        _ fd: Int32, _ query: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { query(fd, $0, &length) }
        }
        guard result == 0 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            var sin = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
            inet_ntop(AF_INET, &sin.sin_addr, &text, socklen_t(text.count))
        case AF_INET6:
            var sin6 = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }
            inet_ntop(AF_INET6, &sin6.sin6_addr, &text, socklen_t(text.count))
        default:
            return nil
        }
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(host):\(port(of: storage))"
    }

    private static func port(of storage: sockaddr_storage) -> Int {
        switch Int32(storage.ss_family) {
        case AF_INET: return Int(UInt16(bigEndian: withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }.sin_port))
        case AF_INET6: return Int(UInt16(bigEndian: withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }.sin6_port))
        default: return 0
        }
    }
}

func lastError() -> String {
    String(cString: strerror(errno))
}
