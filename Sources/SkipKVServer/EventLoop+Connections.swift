#if canImport(Glibc)
import Glibc
#endif
import CLibUV
import SkipKVProtocol
import SkipKVSystem

/// The life of a connection on its loop: reading into the input buffer, running every
/// complete command in it, writing the replies of the whole batch at once, backpressure,
/// and closing.
///
/// `drive` is the one place that decides what happens next: run buffered commands, send
/// replies, and read more only when the connection is neither backpressured nor finishing.
extension EventLoop {
    func startReading(_ connection: UnsafeMutablePointer<Connection>) {
        connection.pointee.reading = true
        uv_read_start(connection.pointee.stream, { handle, _, buffer in
            let connection = Connection.of(UnsafeMutableRawPointer(handle!))
            let (start, count) = connection.pointee.input.pointee.prepareRead()
            buffer!.pointee = uv_buf_t(base: start.assumingMemoryBound(to: CChar.self), len: count)
        }, { stream, bytesRead, _ in
            let connection = Connection.of(UnsafeMutableRawPointer(stream!))
            connection.pointee.loop.didRead(connection, bytesRead)
        })
    }

    private func didRead(_ connection: UnsafeMutablePointer<Connection>, _ bytesRead: Int) {
        if bytesRead > 0 {
            connection.pointee.input.pointee.commit(bytesRead)
            stats.add(.networkInputBytes, UInt64(bytesRead))
            connection.pointee.lastInteraction = now
            let now = self.now
            connection.pointee.withClient { $0.lastInteraction.store(now, ordering: .relaxed) }
            drive(connection)
        } else if bytesRead < 0 {
            if bytesRead != Int(UV_EOF.rawValue) && bytesRead != Int(UV_ECONNRESET.rawValue) {
                server.logger.debug("read error on client id=\(connection.pointee.client.id): \(String(cString: uv_strerror(Int32(bytesRead))))")
            }
            endInput(connection)
        }
    }

    /// Runs buffered commands and sends replies until the connection has to wait (for the
    /// client's next bytes, or for the kernel to take more replies), then reads only if it
    /// should.
    func drive(_ connection: UnsafeMutablePointer<Connection>) {
        defer { accountMemory(connection) }
        let limit = withSettings { $0.outputBufferLimit.load(ordering: .relaxed) }
        while true {
            processInput(connection, outputLimit: limit)
            flush(connection)
            if connection.pointee.closing { return }
            // Backpressure lifts once half the limit has drained; a write that went out at
            // once may already have done that.
            guard connection.pointee.backpressured, limit == 0 || connection.pointee.pendingOutput <= limit / 2 else { break }
            connection.pointee.backpressured = false
        }
        let shouldRead = !connection.pointee.backpressured && !connection.pointee.inputEnded && !connection.pointee.closeAfterFlush
        if shouldRead != connection.pointee.reading {
            if shouldRead {
                startReading(connection)
            } else {
                connection.pointee.reading = false
                uv_read_stop(connection.pointee.stream)
            }
        }
    }

    /// Runs every complete command in the input buffer, in order, until the buffer holds
    /// only an incomplete request or more than `outputLimit` reply bytes wait to be sent.
    private func processInput(_ connection: UnsafeMutablePointer<Connection>, outputLimit: Int) {
        if connection.pointee.backpressured { return }
        refreshParserLimits(connection)
        let input = connection.pointee.input
        let arguments = connection.pointee.arguments
        var clock = monotonicMicroseconds()
        while !connection.pointee.closeAfterFlush {
            let view = input.pointee.readable
            if view.isEmpty { break }
            // Until a client authenticates it gets Redis's tight request limits; the command
            // before this one may have been its AUTH, or CONFIG SET may have cleared requirepass.
            if !connection.pointee.authenticated {
                connection.pointee.parser.limits.authenticationPending =
                    withSettings { $0.passwordRequired.load(ordering: .relaxed) }
            } else if connection.pointee.parser.limits.authenticationPending {
                connection.pointee.parser.limits.authenticationPending = false
            }
            switch connection.pointee.parser.parse(view, into: &arguments.pointee) {
            case .command(let consumed):
                clock = CommandExecutor.execute(connection, loop: self, buffer: view, startedAt: clock)
                if expiredReadsPending.isSet { removeExpiredReads() }
                input.pointee.consume(consumed)
                if outputLimit > 0 && connection.pointee.pendingOutput > outputLimit {
                    connection.pointee.backpressured = true
                    return
                }
                continue
            case .incomplete(let consumed, let bytesNeeded):
                input.pointee.consume(consumed)
                input.pointee.bytesNeeded = bytesNeeded
            case .error(let error):
                connection.pointee.reply.pointee.writeError(error)
                stats.add(.errorReplies)
                server.logger.debug("protocol error from client id=\(connection.pointee.client.id): \(error.message)")
                connection.pointee.closeAfterFlush = true
            }
            break
        }
        // Every complete command the client will ever send has run.
        if connection.pointee.inputEnded { connection.pointee.closeAfterFlush = true }
    }

    /// Picks up parser limits changed by CONFIG SET since this connection last looked.
    private func refreshParserLimits(_ connection: UnsafeMutablePointer<Connection>) {
        let generation = withSettings { $0.parserLimitsGeneration.load(ordering: .acquiring) }
        if generation != connection.pointee.parserLimitsGeneration {
            connection.pointee.parser.limits = server.settings.parserLimits
            connection.pointee.parserLimitsGeneration = generation
        }
    }

    // MARK: Writing

    /// Sends the accumulated replies: first with one non-blocking write, which usually takes
    /// everything; whatever remains moves to `sending` and goes out through `uv_write`, while
    /// new replies accumulate in the emptied reply buffer. Closes a finishing connection once
    /// nothing is left to send.
    private func flush(_ connection: UnsafeMutablePointer<Connection>) {
        if connection.pointee.closing || connection.pointee.writeInFlight { return }
        if connection.pointee.requiredLSN != 0 && !isAcknowledgeable(connection.pointee.requiredLSN) {
            awaitDurability(connection)
            return
        }
        let reply = connection.pointee.reply
        if !reply.pointee.output.isEmpty {
            let pending = reply.pointee.output.readableBytes
            var buffer = uv_buf_t(base: UnsafeMutablePointer(mutating: pending.baseAddress!.assumingMemoryBound(to: CChar.self)), len: pending.count)
            let written = uv_try_write(connection.pointee.stream, &buffer, 1)
            if written > 0 {
                reply.pointee.output.consume(Int(written))
                stats.add(.networkOutputBytes, UInt64(written))
            } else if written != UV_EAGAIN.rawValue {
                close(connection)
                return
            }
            if !reply.pointee.output.isEmpty {
                startWrite(connection)
                return
            }
            // A large reply may have grown the buffer; do not keep that memory.
            reply.pointee.output.removeAll(maximumRetainedCapacity: 64 * 1024)
        }
        if connection.pointee.closeAfterFlush { close(connection) }
    }

    /// Hands the unsent replies to `uv_write`, swapping buffers so the bytes in flight stay
    /// put while new replies accumulate.
    private func startWrite(_ connection: UnsafeMutablePointer<Connection>) {
        swap(&connection.pointee.reply.pointee.output, &connection.pointee.sending.pointee)
        let sending = connection.pointee.sending.pointee.readableBytes
        var buffer = uv_buf_t(base: UnsafeMutablePointer(mutating: sending.baseAddress!.assumingMemoryBound(to: CChar.self)), len: sending.count)
        connection.pointee.writeRequest.pointee.data = UnsafeMutableRawPointer(connection)
        let started = uv_write(connection.pointee.writeRequest, connection.pointee.stream, &buffer, 1) { request, status in
            let connection = request!.pointee.data.assumingMemoryBound(to: Connection.self)
            connection.pointee.loop.didWrite(connection, status)
        }
        if started == 0 {
            connection.pointee.writeInFlight = true
        } else {
            close(connection)
        }
    }

    private func didWrite(_ connection: UnsafeMutablePointer<Connection>, _ status: Int32) {
        connection.pointee.writeInFlight = false
        if connection.pointee.closing { return }
        guard status == 0 else {
            close(connection)
            return
        }
        let sending = connection.pointee.sending
        stats.add(.networkOutputBytes, UInt64(sending.pointee.count))
        sending.pointee.removeAll(maximumRetainedCapacity: 64 * 1024)
        drive(connection)
    }

    // MARK: Waiting for the log

    @inline(__always)
    private func isAcknowledgeable(_ lsn: UInt64) -> Bool {
        logWriter?._withUnsafeGuaranteedRef { $0.isAcknowledgeable(lsn) } ?? true
    }

    /// Holds the connection's replies (all of them, so their order is kept) until the log
    /// writer reports more durable records (`releaseDurableReplies`).
    private func awaitDurability(_ connection: UnsafeMutablePointer<Connection>) {
        if connection.pointee.awaitingDurability { return }
        connection.pointee.awaitingDurability = true
        durabilityWaiters.append(connection)
    }

    /// Once per loop iteration: with `everysec`/`no`, one `write` of the log buffer covers
    /// every reply this iteration held back (as Redis writes its AOF buffer before replying).
    func writeLogForWaitingReplies() {
        guard !durabilityWaiters.isEmpty, let log = logWriter,
              !log._withUnsafeGuaranteedRef({ $0.acknowledgesAfterFsync }) else { return }
        if log._withUnsafeGuaranteedRef({ $0.writeToOperatingSystem() }) { releaseDurableReplies() }
    }

    /// Sends the held replies whose records are now acknowledgeable; the rest wait again.
    func releaseDurableReplies() {
        if durabilityWaiters.isEmpty { return }
        let waiting = durabilityWaiters
        durabilityWaiters.removeAll(keepingCapacity: true)
        for connection in waiting {
            connection.pointee.awaitingDurability = false
            drive(connection)
        }
    }

    // MARK: Closing

    /// The client will send nothing more (EOF) or the server is shutting down: stop reading,
    /// run the complete commands already received, send their replies, then close.
    func endInput(_ connection: UnsafeMutablePointer<Connection>) {
        if connection.pointee.closing || connection.pointee.inputEnded { return }
        connection.pointee.inputEnded = true
        if !connection.pointee.writeInFlight { drive(connection) } else { stopReading(connection) }
    }

    /// Runs no further commands; closes once the replies already produced are sent (QUIT).
    func finish(_ connection: UnsafeMutablePointer<Connection>) {
        connection.pointee.closeAfterFlush = true
        stopReading(connection)
    }

    private func stopReading(_ connection: UnsafeMutablePointer<Connection>) {
        if connection.pointee.reading {
            connection.pointee.reading = false
            uv_read_stop(connection.pointee.stream)
        }
    }

    /// Closes at once, dropping unsent replies.
    func close(_ connection: UnsafeMutablePointer<Connection>) {
        if connection.pointee.closing { return }
        connection.pointee.closing = true
        if connection.pointee.watcher != nil { TransactionCommands.discardTransaction(connection, keyspace) }
        forgetMemory(connection)
        if connection.pointee.awaitingDurability {
            durabilityWaiters.removeAll { $0 == connection }
        }
        unlink(connection)
        server.clients.unregister(connection.pointee.client.id)
        uv_close(connection.pointee.handleBase) { handle in
            let connection = Connection.of(UnsafeMutableRawPointer(handle!))
            let loop = connection.pointee.loop
            Connection.free(connection)
            loop.server.clients.release()
            loop.finishShutdownIfIdle()
        }
    }
}
