import Glibc

/// A connected stream socket in non-blocking mode. Every wait goes through `poll`, so a
/// caller can always watch for "readable" and "writable" together and never sits blocked in
/// a write while the peer is blocked writing to us.
final class Socket {
    let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Connects to `endpoint`, trying each address a host name resolves to in turn.
    /// `timeout` (seconds) bounds each attempt; nil waits as long as the system does.
    static func connect(to endpoint: Endpoint, timeout: Double?) throws(ClientError) -> Socket {
        switch endpoint {
        case .tcp(let host, let port):
            return try connectTCP(host: host, port: port, endpoint: endpoint, timeout: timeout)
        case .unix(let path):
            return try connectUnix(path: path, endpoint: endpoint, timeout: timeout)
        }
    }

    private static func connectTCP(host: String, port: Int, endpoint: Endpoint, timeout: Double?) throws(ClientError) -> Socket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else {
            throw ClientError.connectFailed(endpoint, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var lastError = ECONNREFUSED
        var candidate = list
        while let address = candidate?.pointee {
            candidate = address.ai_next
            let descriptor = socket(address.ai_family, address.ai_socktype, address.ai_protocol)
            guard descriptor >= 0 else {
                lastError = errno
                continue
            }
            let connected = Socket(descriptor: descriptor)
            if let failure = connected.finishConnect(address.ai_addr, address.ai_addrlen, timeout: timeout) {
                lastError = failure
                continue
            }
            // Requests are written whole, so Nagle's algorithm would only delay the last
            // segment of each one.
            var on: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            // Like redis-cli: notice a vanished server even while waiting on a long command.
            setsockopt(descriptor, SOL_SOCKET, SO_KEEPALIVE, &on, socklen_t(MemoryLayout<Int32>.size))
            return connected
        }
        throw ClientError.connectFailed(endpoint, reason: String(cString: strerror(lastError)))
    }

    private static func connectUnix(path: String, endpoint: Endpoint, timeout: Double?) throws(ClientError) -> Socket {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            throw ClientError.connectFailed(endpoint, reason: String(cString: strerror(ENAMETOOLONG)))
        }
        withUnsafeMutableBytes(of: &address.sun_path) { target in
            target.copyBytes(from: pathBytes)
            target[pathBytes.count] = 0
        }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            throw ClientError.connectFailed(endpoint, reason: String(cString: strerror(errno)))
        }
        let connected = Socket(descriptor: descriptor)
        let failure = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connected.finishConnect($0, socklen_t(MemoryLayout<sockaddr_un>.size), timeout: timeout)
            }
        }
        if let failure {
            throw ClientError.connectFailed(endpoint, reason: String(cString: strerror(failure)))
        }
        return connected
    }

    /// Switches to non-blocking mode and connects; returns the errno of a failure.
    private func finishConnect(_ address: UnsafePointer<sockaddr>, _ length: socklen_t, timeout: Double?) -> Int32? {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        if Glibc.connect(descriptor, address, length) == 0 { return nil }
        guard errno == EINPROGRESS || errno == EAGAIN else { return errno }
        let milliseconds = timeout.map { Int32(min($0 * 1000, Double(Int32.max))) } ?? -1
        guard wait(readable: false, writable: true, milliseconds: milliseconds).writable else { return ETIMEDOUT }
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length)
        return failure == 0 ? nil : failure
    }

    /// Waits until the socket is readable and/or writable (as asked), or `milliseconds`
    /// pass (-1: no limit). Errors and hang-ups count as both, so the following read or write
    /// reports them.
    func wait(readable: Bool, writable: Bool, milliseconds: Int32) -> (readable: Bool, writable: Bool) {
        var events: Int16 = 0
        if readable { events |= Int16(POLLIN) }
        if writable { events |= Int16(POLLOUT) }
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        while poll(&entry, 1, milliseconds) < 0 && errno == EINTR {}
        let failed = entry.revents & Int16(POLLERR | POLLHUP) != 0
        return (
            readable && (failed || entry.revents & Int16(POLLIN) != 0),
            writable && (failed || entry.revents & Int16(POLLOUT) != 0)
        )
    }

    /// Sends what the socket accepts now; 0 when it accepts nothing.
    func send(_ bytes: UnsafeRawBufferPointer) throws(ClientError) -> Int {
        while true {
            // MSG_NOSIGNAL: a closed peer is an error to report, not a SIGPIPE to die of.
            let sent = Glibc.send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if sent >= 0 { return sent }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return 0
            case EPIPE, ECONNRESET: throw ClientError.closedByServer
            default: throw ClientError.ioFailed(String(cString: strerror(errno)))
            }
        }
    }

    /// Receives what is available now into `target`: the byte count, 0 at end of stream, or
    /// nil when nothing is available yet.
    func receive(into target: UnsafeMutableRawBufferPointer) throws(ClientError) -> Int? {
        while true {
            let received = recv(descriptor, target.baseAddress, target.count, 0)
            if received >= 0 { return received }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            case ECONNRESET: return 0
            default: throw ClientError.ioFailed(String(cString: strerror(errno)))
            }
        }
    }

    /// Whether the peer has closed its end, checked without blocking or consuming data.
    var isClosedByPeer: Bool {
        guard wait(readable: true, writable: false, milliseconds: 0).readable else { return false }
        var byte: UInt8 = 0
        let peeked = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    }
}
