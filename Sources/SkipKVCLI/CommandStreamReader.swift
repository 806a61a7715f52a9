import Glibc
import SkipKVClient
import SkipKVProtocol

/// Commands read from a file descriptor (stdin for `--pipe`) in RESP or inline form, parsed
/// by the server's own request parser and re-encoded as RESP onto a connection. Parsing
/// here, rather than forwarding the bytes, counts the commands (so no end marker is needed
/// to know when the last reply is in), sends inline commands to any server as proper RESP,
/// and rejects malformed input before the server sees it.
final class CommandStreamReader {
    /// Input that is not a valid command stream.
    struct InputError: Error {
        var message: String
    }

    private let descriptor: Int32
    private var input = ByteQueue(initialCapacity: 1 << 20)
    private var parser = RequestParser()
    private var arguments = CommandArguments()
    private(set) var commandCount = 0
    private(set) var isAtEnd = false

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Reads what is available (blocking until something is) and enqueues every complete
    /// command on `connection`. Returns false once the input has ended.
    func enqueueAvailable(on connection: Connection) throws(InputError) -> Bool {
        let target = input.reserve(minimum: 256 * 1024)
        let count = read(descriptor, target.baseAddress, target.count)
        if count < 0 {
            if errno == EINTR { return true }
            throw InputError(message: String(cString: strerror(errno)))
        }
        if count == 0 {
            isAtEnd = true
            if let first = input.readableBytes.first, first != UInt8(ascii: "*") {
                // A last inline command without its newline still counts, as with `echo -n`.
                input.reserve(minimum: 1)[0] = UInt8(ascii: "\n")
                input.commit(1)
            }
        } else {
            input.commit(count)
        }
        parsing: while true {
            switch parser.parse(input.readableBytes, into: &arguments) {
            case .command(let consumed):
                connection.enqueue(arguments, in: input.readableBytes)
                commandCount += 1
                input.consume(consumed)
            case .incomplete(let consumed, _):
                input.consume(consumed)
                break parsing
            case .error(let error):
                throw InputError(message: "\(error.message) (after \(commandCount) commands)")
            }
        }
        if isAtEnd && !input.isEmpty {
            throw InputError(message: "the input ends in the middle of a command (after \(commandCount) commands)")
        }
        return !isAtEnd
    }
}
