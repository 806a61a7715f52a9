#if canImport(Glibc)
import Glibc
#endif
import CLibUV
import SkipKVClient
import SkipKVProtocol

/// One benchmark connection, owned by one worker thread: a non-blocking socket watched by a
/// libuv poll handle, the encoded requests not yet written, the bytes received and not yet
/// parsed, and the queue of replies still due.
///
/// A noncopyable struct that the worker keeps in a block of memory and reaches through a
/// pointer, as the server does with its connections: every request and reply touches this
/// state several times, and a class's stored properties would pay a dynamic exclusivity check
/// on each touch.
struct NetConnection: ~Copyable {
    let descriptor: Int32
    /// Allocated here, initialised and closed by the worker's loop.
    let poll: UnsafeMutablePointer<uv_poll_t>
    /// Encoded requests not yet written. A request is an array of bulk strings, the wire shape
    /// of an array reply, so the protocol module's reply writer encodes it.
    var requests = ReplyWriter(version: .resp2, initialCapacity: 16 * 1024)
    /// Whether the poll handle also waits for writability (only after a partial write).
    var watchingWritable = false
    private var input = ByteQueue(initialCapacity: 64 * 1024)
    private var parser = ReplyParser()
    /// How many bytes the parser needs before it can progress; sizes the next read.
    private var bytesNeeded = 1
    private var pending: [PendingReply] = []
    private var head = 0
    /// Entries from here on were added after the last write and still need a start time.
    private var unstamped = 0

    init(descriptor: Int32) {
        self.descriptor = descriptor
        poll = .allocate(capacity: 1)
        pending.reserveCapacity(64)
    }

    deinit {
        close(descriptor)
        poll.deallocate()
    }

    /// Replies still due.
    var awaiting: Int { pending.count - head }

    /// Records that a request was encoded into `requests` and its reply is due.
    @inline(__always)
    mutating func expect(_ kind: NetRequestKind, completesOperation: Bool, keyNumber: UInt64 = 0, startNanos: UInt64 = 0) {
        pending.append(
            PendingReply(kind: kind, completesOperation: completesOperation, keyNumber: keyNumber, startNanos: startNanos))
    }

    /// Gives the operations encoded since the last call the start time `now` (follow-up
    /// requests keep the start time of their operation).
    @inline(__always)
    mutating func stamp(_ now: UInt64) {
        for i in unstamped..<pending.count where pending[i].startNanos == 0 { pending[i].startNanos = now }
        unstamped = pending.count
    }

    /// Writes as much of `requests` as the socket takes; returns whether all of it went out.
    mutating func send() throws -> Bool {
        while !requests.output.isEmpty {
            let bytes = requests.output.readableBytes
            let sent = Glibc.send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if sent > 0 {
                requests.output.consume(sent)
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return false
            case EPIPE, ECONNRESET: throw NetFailure("the server closed a connection")
            default: throw NetFailure("send failed: \(String(cString: strerror(errno)))")
            }
        }
        return true
    }

    /// Reads what has arrived (one recv). Returns false when nothing was available.
    mutating func receive() throws -> Bool {
        let target = input.reserve(minimum: max(16 * 1024, bytesNeeded))
        while true {
            let received = recv(descriptor, target.baseAddress, target.count, 0)
            if received > 0 {
                input.commit(received)
                return true
            }
            if received == 0 { throw NetFailure("the server closed a connection") }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return false
            case ECONNRESET: throw NetFailure("the server reset a connection")
            default: throw NetFailure("recv failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// The next complete reply in the received bytes with the entry it answers, or nil when
    /// more bytes are needed.
    @inline(__always)
    mutating func nextReply() throws -> (reply: RESPReply, request: PendingReply)? {
        guard !input.isEmpty else { return nil }
        switch parser.parse(input.readableBytes) {
        case .reply(let reply, let consumed):
            input.consume(consumed)
            bytesNeeded = 1
            guard head < pending.count else { throw NetFailure("the server sent a reply nobody asked for") }
            let request = pending[head]
            head += 1
            if head == pending.count {
                pending.removeAll(keepingCapacity: true)
                head = 0
                unstamped = 0
            }
            return (reply, request)
        case .incomplete(let consumed, let needed):
            input.consume(consumed)
            bytesNeeded = needed
            return nil
        case .error(let error):
            throw NetFailure("malformed reply from the server: \(error.message)")
        }
    }
}
