#if canImport(Glibc)
import Glibc
#endif
import CLibUV

/// Accepting clients: a poll handle on each listening socket this loop owns; `accept4`
/// until the backlog is empty; clients over `maxclients` or refused by protected mode are
/// answered and closed at once; each other new socket goes round-robin to a loop (possibly
/// this one), which wraps it in a libuv stream (`adopt`).
extension EventLoop {
    /// Starts accepting on `listener` in this loop. Before the loop thread starts.
    func listen(on listener: Listener) {
        let poll = UnsafeMutablePointer<uv_poll_t>.allocate(capacity: 1)
        uv_poll_init(uvLoop, poll, listener.descriptor)
        poll.pointee.data = UnsafeMutableRawPointer(bitPattern: listeners.count + 1)
        listeners.append((listener, poll))
        uv_poll_start(poll, Int32(UV_READABLE.rawValue)) { poll, status, _ in
            let loop = EventLoop.of(poll!.pointee.loop)
            let position = Int(bitPattern: poll!.pointee.data) - 1
            loop.acceptPending(loop.listeners[position].listener)
        }
    }

    /// Drains the listening socket's backlog, bounded so one burst of connections cannot
    /// starve the clients this loop already serves.
    private func acceptPending(_ listener: Listener) {
        for _ in 0..<64 {
            // Plain accept: uv_tcp_open / uv_pipe_open make the socket non-blocking.
            var peer = sockaddr_storage()
            var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener.descriptor, $0, &peerLength) }
            }
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK {
                    server.logger.warning("accept failed: \(lastError())")
                }
                return
            }
            stats.add(.connectionsReceived)
            let limit = server.settings.maxClients.load(ordering: .relaxed)
            guard server.clients.reserve(limit: limit) else {
                stats.add(.rejectedConnections)
                refuse(fd, "-ERR max number of clients reached\r\n")
                continue
            }
            // After the maxclients check, as in Redis.
            if listener.kind == .tcp && server.settings.protectedMode.load(ordering: .relaxed)
                && !server.settings.passwordRequired.load(ordering: .relaxed) && !ProtectedMode.isLocal(peer) {
                server.clients.release()
                stats.add(.rejectedConnections)
                refuse(fd, ProtectedMode.denied)
                continue
            }
            let loops = server.loops
            let target = loops[nextLoopForHandOff % loops.count]
            nextLoopForHandOff &+= 1
            if target === self {
                adopt(fd, kind: listener.kind)
            } else {
                target.handOff(fd, kind: listener.kind)
            }
        }
    }

    /// Sends a one-line error to a client that will not be served, then closes it. The
    /// socket is fresh, so the short write fits in its send buffer. What the client already
    /// sent is read first: closing a socket with unread input sends a reset, which can
    /// discard the error before the client reads it.
    private func refuse(_ fd: Int32, _ message: StaticString) {
        _ = send(fd, message.utf8Start, message.utf8CodeUnitCount, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
        withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 1) { sink in
            while recv(fd, sink.baseAddress, sink.count, Int32(MSG_DONTWAIT)) > 0 {}
        }
        Glibc.close(fd)
    }

    /// Wraps an accepted socket (with its `maxclients` place already reserved) in a libuv
    /// stream owned by this loop and starts reading.
    func adopt(_ fd: Int32, kind: Listener.Kind) {
        if shuttingDown {
            Glibc.close(fd)
            server.clients.release()
            return
        }
        let handle = UnsafeMutableRawPointer.allocate(byteCount: Connection.handleBytes, alignment: 16)
        let opened: Int32
        switch kind {
        case .tcp:
            let tcp = handle.bindMemory(to: uv_tcp_t.self, capacity: 1)
            uv_tcp_init(uvLoop, tcp)
            opened = uv_tcp_open(tcp, fd)
            if opened == 0 {
                uv_tcp_nodelay(tcp, 1)
                let keepalive = server.settings.tcpKeepalive.load(ordering: .relaxed)
                if keepalive > 0 { uv_tcp_keepalive(tcp, 1, UInt32(keepalive)) }
            }
        case .unix:
            let pipe = handle.bindMemory(to: uv_pipe_t.self, capacity: 1)
            uv_pipe_init(uvLoop, pipe, 0)
            opened = uv_pipe_open(pipe, fd)
        }
        guard opened == 0 else {
            server.logger.warning("cannot serve accepted socket: \(String(cString: uv_strerror(opened)))")
            Glibc.close(fd)
            uv_close(UnsafeMutablePointer(OpaquePointer(handle))) { $0.map { UnsafeMutableRawPointer($0).deallocate() } }
            server.clients.release()
            return
        }
        let address: String
        let localAddress: String
        switch kind {
        case .tcp:
            address = Listener.peerName(fd) ?? "?"
            localAddress = Listener.localName(fd) ?? "?"
        case .unix:
            address = "\(server.unixSocketPath):0"
            localAddress = address
        }
        let client = ClientInfo(id: server.clients.nextID(), address: address, localAddress: localAddress, descriptor: fd, now: now)
        server.clients.register(client)
        let limits = server.settings.parserLimits
        let connection = Connection.open(
            handle: handle, loop: self, client: client,
            limits: limits, limitsGeneration: server.settings.parserLimitsGeneration.load(ordering: .acquiring),
            authenticated: !server.settings.passwordRequired.load(ordering: .relaxed), now: now
        )
        link(connection)
        accountMemory(connection)
        startReading(connection)
    }

    private func link(_ connection: UnsafeMutablePointer<Connection>) {
        connection.pointee.next = firstConnection
        firstConnection?.pointee.previous = connection
        firstConnection = connection
        connectionCount += 1
    }

    func unlink(_ connection: UnsafeMutablePointer<Connection>) {
        let previous = connection.pointee.previous
        let next = connection.pointee.next
        if let previous { previous.pointee.next = next } else { firstConnection = next }
        next?.pointee.previous = previous
        connection.pointee.previous = nil
        connection.pointee.next = nil
        connectionCount -= 1
    }
}
