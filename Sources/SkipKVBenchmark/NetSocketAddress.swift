#if canImport(Glibc)
import Glibc
#endif

/// A server address resolved once (getaddrinfo), from which the benchmark opens its many
/// connections without resolving again.
struct NetSocketAddress: @unchecked Sendable {
    private let family: Int32
    private let socketType: Int32
    private let socketProtocol: Int32
    private let bytes: [UInt8]

    /// The first address `host` resolves to that accepts a TCP connection.
    static func resolve(host: String, port: Int) throws -> NetSocketAddress {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else {
            throw NetFailure("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = ECONNREFUSED
        var candidate = list
        while let entry = candidate?.pointee {
            candidate = entry.ai_next
            let address = NetSocketAddress(
                family: entry.ai_family, socketType: entry.ai_socktype, socketProtocol: entry.ai_protocol,
                bytes: [UInt8](UnsafeRawBufferPointer(start: entry.ai_addr, count: Int(entry.ai_addrlen))))
            do {
                close(try address.connect())
                return address
            } catch let failure as ConnectFailure {
                lastError = failure.code
            }
        }
        throw NetFailure("cannot connect to \(host):\(port): \(String(cString: strerror(lastError)))")
    }

    struct ConnectFailure: Error {
        let code: Int32
    }

    /// A new connected socket, non-blocking, with Nagle's algorithm off: requests are written
    /// whole, so Nagle would only hold back the last segment of a batch.
    func connect() throws -> Int32 {
        let descriptor = socket(family, socketType, socketProtocol)
        guard descriptor >= 0 else { throw ConnectFailure(code: errno) }
        let result = bytes.withUnsafeBytes { raw in
            Glibc.connect(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw ConnectFailure(code: code)
        }
        var on: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        return descriptor
    }
}
