import CLibUV
import SkipKVPersistence
import SkipKVProtocol

/// One client connection: its libuv stream handle, receive buffer, parser, reply buffers and
/// session state. Lives in manually allocated memory (`Connection.open`) whose address is the
/// handle's `data`, so the hot path reaches it from a libuv callback without reference
/// counting; the non-copyable buffers sit behind their own pointers so command handlers can
/// borrow them independently.
///
/// Concurrency contract: owned by one `EventLoop` and touched only on its thread, from the
/// moment `open` returns until the close callback frees it. Other threads see the connection
/// only through its `ClientInfo`.
struct Connection {
    /// Storage of the `uv_tcp_t` or `uv_pipe_t`; libuv owns its contents.
    let handle: UnsafeMutableRawPointer
    unowned(unsafe) let loop: EventLoop
    /// Retained by `open`, released by `free`. Hot paths use `withClient`, which touches no
    /// reference count.
    let clientReference: Unmanaged<ClientInfo>
    let input: UnsafeMutablePointer<InputBuffer>
    let arguments: UnsafeMutablePointer<CommandArguments>
    /// Where replies are written; in the connection's RESP version.
    let reply: UnsafeMutablePointer<ReplyWriter>
    /// Replies handed to an in-flight `uv_write`: swapped out of `reply` when a write could not
    /// finish at once, so new replies can keep accumulating without moving bytes libuv reads.
    let sending: UnsafeMutablePointer<ByteQueue>
    let writeRequest: UnsafeMutablePointer<uv_write_t>
    var parser: RequestParser
    var parserLimitsGeneration: Int
    var authenticated: Bool
    var writeInFlight = false
    /// Whether libuv is reading from the socket for us.
    var reading = false
    /// No more commands run until enough reply bytes are sent (output-buffer limit).
    var backpressured = false
    /// Nothing more will be read (peer EOF, shutdown); buffered commands still run.
    var inputEnded = false
    /// Close once everything queued is written; run no further commands (QUIT, protocol
    /// error, or input ended and fully processed).
    var closeAfterFlush = false
    var closing = false
    /// LSN of the last log record a command of this connection appended: replies written
    /// after it may go out only once the log says it is acknowledgeable.
    var requiredLSN: UInt64 = 0
    /// In the loop's `durabilityWaiters`.
    var awaitingDurability = false
    /// `bufferMemory` as last added to the loop's client memory (`accountMemory`).
    var accountedMemory = 0
    /// The commands queued since MULTI; nil outside a transaction.
    var queued: UnsafeMutablePointer<QueuedCommands>?
    /// What this client WATCHes; made by its first WATCH or WATCHRANGE.
    var watcher: Watcher?
    /// `uv_now` at the last read, for the idle timeout.
    var lastInteraction: UInt64
    /// Links in the owning loop's list of connections.
    var previous: UnsafeMutablePointer<Connection>?
    var next: UnsafeMutablePointer<Connection>?

    var client: ClientInfo { clientReference.takeUnretainedValue() }

    @inline(__always)
    func withClient<R>(_ body: (ClientInfo) -> R) -> R {
        clientReference._withUnsafeGuaranteedRef(body)
    }

    var stream: UnsafeMutablePointer<uv_stream_t> { UnsafeMutablePointer(OpaquePointer(handle)) }
    var handleBase: UnsafeMutablePointer<uv_handle_t> { UnsafeMutablePointer(OpaquePointer(handle)) }

    /// Reply bytes not yet handed to the kernel.
    var pendingOutput: Int { reply.pointee.output.count + sending.pointee.count }

    /// Bytes reserved for every connection's handle: enough for either stream type.
    static let handleBytes = max(uv_handle_size(UV_TCP), uv_handle_size(UV_NAMED_PIPE))

    /// Allocates a connection for an initialized (not yet reading) handle.
    static func open(
        handle: UnsafeMutableRawPointer, loop: EventLoop, client: ClientInfo,
        limits: ParserLimits, limitsGeneration: Int, authenticated: Bool, now: UInt64
    ) -> UnsafeMutablePointer<Connection> {
        let input = UnsafeMutablePointer<InputBuffer>.allocate(capacity: 1)
        input.initialize(to: InputBuffer())
        let arguments = UnsafeMutablePointer<CommandArguments>.allocate(capacity: 1)
        arguments.initialize(to: CommandArguments())
        let reply = UnsafeMutablePointer<ReplyWriter>.allocate(capacity: 1)
        reply.initialize(to: ReplyWriter(version: .resp2, initialCapacity: 16 * 1024))
        let sending = UnsafeMutablePointer<ByteQueue>.allocate(capacity: 1)
        sending.initialize(to: ByteQueue(initialCapacity: 16))
        let connection = UnsafeMutablePointer<Connection>.allocate(capacity: 1)
        connection.initialize(to: Connection(
            handle: handle, loop: loop, clientReference: Unmanaged.passRetained(client), input: input, arguments: arguments,
            reply: reply, sending: sending, writeRequest: .allocate(capacity: 1),
            parser: RequestParser(limits: limits), parserLimitsGeneration: limitsGeneration,
            authenticated: authenticated, lastInteraction: now
        ))
        UnsafeMutablePointer<uv_handle_t>(OpaquePointer(handle)).pointee.data = UnsafeMutableRawPointer(connection)
        return connection
    }

    /// Frees everything `open` allocated, the handle storage included. Only from the handle's
    /// close callback, when libuv no longer refers to any of it.
    static func free(_ connection: UnsafeMutablePointer<Connection>) {
        let c = connection.pointee
        c.input.deinitialize(count: 1)
        c.input.deallocate()
        c.arguments.deinitialize(count: 1)
        c.arguments.deallocate()
        c.reply.deinitialize(count: 1)
        c.reply.deallocate()
        c.sending.deinitialize(count: 1)
        c.sending.deallocate()
        c.writeRequest.deallocate()
        if let queued = c.queued {
            queued.deinitialize(count: 1)
            queued.deallocate()
        }
        c.handle.deallocate()
        c.clientReference.release()
        connection.deinitialize(count: 1)
        connection.deallocate()
    }

    /// The connection a libuv handle belongs to.
    @inline(__always)
    static func of(_ handle: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Connection> {
        UnsafeMutablePointer<uv_handle_t>(OpaquePointer(handle)).pointee.data.assumingMemoryBound(to: Connection.self)
    }
}
