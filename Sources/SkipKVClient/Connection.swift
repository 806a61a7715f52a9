import SkipKVProtocol

/// One connection to a RESP server, used from one thread: commands are encoded into an
/// output buffer and replies parsed from an input buffer, with blocking calls built on
/// `poll` so that reading and writing interleave and a large pipeline cannot deadlock on
/// full socket buffers.
///
/// No handshake happens here; `Client` adds AUTH, HELLO and reconnection.
public final class Connection {
    public let endpoint: Endpoint
    private let socket: Socket
    /// Encoded commands not yet written. A request is an array of bulk strings, the same
    /// wire shape as an array reply, so the reply encoder writes it.
    private var requests = ReplyWriter(version: .resp2, initialCapacity: 64 * 1024)
    private var input = ByteQueue(initialCapacity: 64 * 1024)
    private var parser = ReplyParser()
    /// How many more bytes the parser needs before it can progress; sizes the next read.
    private var bytesNeeded = 1
    /// The server closed its end. Replies it sent before are still read and returned.
    private var peerClosed = false

    /// Commands enqueued whose replies have not been read yet.
    public private(set) var pendingReplies = 0

    private init(endpoint: Endpoint, socket: Socket) {
        self.endpoint = endpoint
        self.socket = socket
    }

    /// Connects without any handshake. `timeout` is in seconds.
    public static func open(_ endpoint: Endpoint, timeout: Double? = nil) throws -> Connection {
        Connection(endpoint: endpoint, socket: try Socket.connect(to: endpoint, timeout: timeout))
    }

    // MARK: Encoding

    /// Appends a command to the output buffer; `flush`, `readReply` or `pipeline` sends it.
    public func enqueue(_ arguments: [[UInt8]]) {
        requests.writeArrayHeader(count: arguments.count)
        for argument in arguments { requests.writeBulkString(argument) }
        pendingReplies += 1
    }

    public func enqueue(_ arguments: [String]) {
        requests.writeArrayHeader(count: arguments.count)
        for argument in arguments { requests.writeBulkString(argument) }
        pendingReplies += 1
    }

    /// Appends a command straight from a request parser's output, without copying its
    /// arguments into arrays first.
    public func enqueue(_ arguments: borrowing CommandArguments, in buffer: UnsafeRawBufferPointer) {
        requests.writeArrayHeader(count: arguments.count)
        for index in 0..<arguments.count { requests.writeBulkString(arguments.argument(index, in: buffer)) }
        pendingReplies += 1
    }

    // MARK: Request and reply

    /// Sends `arguments` and returns its reply; earlier pending replies must have been read.
    public func execute(_ arguments: [[UInt8]]) throws -> RESPReply {
        enqueue(arguments)
        return try readReply()
    }

    public func execute(_ arguments: [String]) throws -> RESPReply {
        enqueue(arguments)
        return try readReply()
    }

    /// Writes all enqueued commands, then waits for the next reply.
    public func readReply() throws -> RESPReply {
        try flush()
        while true {
            if let reply = try nextBufferedReply() { return reply }
            guard !peerClosed else { throw ClientError.closedByServer }
            _ = socket.wait(readable: true, writable: false, milliseconds: -1)
            try receiveAvailable()
        }
    }

    /// Writes all enqueued commands. Replies arriving meanwhile are buffered, so a server
    /// that answers while we are still writing never blocks on us.
    public func flush() throws {
        while !requests.output.isEmpty && !peerClosed {
            let ready = socket.wait(readable: true, writable: true, milliseconds: -1)
            if ready.writable { try sendAvailable() }
            if ready.readable { try receiveAvailable() }
        }
    }

    /// Streams commands and their replies at once. `produce` enqueues more commands and
    /// returns false when it has no more (a producer that fails records why and returns
    /// false); it is called whenever less than `bufferLimit` bytes are waiting to be
    /// written, so memory stays bounded however many commands there are. `onReply` receives
    /// every reply in order. Returns once all replies are in.
    public func pipeline(
        bufferLimit: Int = 1 << 20,
        produce: () -> Bool,
        onReply: (RESPReply) -> Void
    ) throws {
        var producing = true
        while true {
            if producing && requests.output.count < bufferLimit { producing = produce() }
            while let reply = try nextBufferedReply() { onReply(reply) }
            if !producing && pendingReplies == 0 { return }
            if peerClosed { throw ClientError.closedByServer }
            // Only block when there is nothing else to do: the buffer is full, or all
            // commands are out and we wait for replies.
            let mustWait = !producing || requests.output.count >= bufferLimit
            let ready = socket.wait(
                readable: pendingReplies > 0,
                writable: !requests.output.isEmpty,
                milliseconds: mustWait ? -1 : 0
            )
            if ready.writable { try sendAvailable() }
            if ready.readable { try receiveAvailable() }
        }
    }

    /// Whether the server closed the connection while it was idle, checked without
    /// blocking. An interactive client calls this before sending, so that a server restart
    /// between two commands costs a silent reconnect rather than a failed command.
    public var isClosedByServer: Bool {
        peerClosed || socket.isClosedByPeer
    }

    // MARK: Buffers and socket

    /// Parses the next complete reply from the input buffer, if there is one.
    private func nextBufferedReply() throws(ClientError) -> RESPReply? {
        while !input.isEmpty {
            switch parser.parse(input.readableBytes) {
            case .reply(let reply, let consumed):
                input.consume(consumed)
                bytesNeeded = 1
                if pendingReplies > 0 { pendingReplies -= 1 }
                return reply
            case .incomplete(let consumed, let needed):
                input.consume(consumed)
                bytesNeeded = needed
                return nil
            case .error(let error):
                throw ClientError.protocolViolation(error)
            }
        }
        return nil
    }

    private func sendAvailable() throws(ClientError) {
        do {
            let sent = try socket.send(requests.output.readableBytes)
            requests.output.consume(sent)
        } catch ClientError.closedByServer {
            // Stop writing, but let the caller read what the server said before closing
            // (often an error reply explaining why).
            peerClosed = true
            requests.output.removeAll()
        }
    }

    private func receiveAvailable() throws(ClientError) {
        // Read at least 64 KiB at a time, and all of a large bulk string at once when its
        // length is known, up to 16 MiB per call.
        let target = input.reserve(minimum: max(64 * 1024, min(bytesNeeded, 16 * 1024 * 1024)))
        guard let received = try socket.receive(into: target) else { return }
        if received == 0 {
            peerClosed = true
        } else {
            input.commit(received)
        }
    }
}
