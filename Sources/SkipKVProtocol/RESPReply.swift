/// One reply from a RESP2 or RESP3 server. Every string payload is kept as raw bytes, so
/// binary values (NUL, CR LF, invalid UTF-8) survive untouched until something renders them.
public enum RESPReply: Sendable, Equatable {
    /// `+OK`: a status line.
    case simpleString([UInt8])
    /// `-ERR ...`, or a RESP3 `!` blob error; the message starts with the error code.
    case error([UInt8])
    /// `:` a signed 64-bit integer.
    case integer(Int64)
    /// `$` a binary-safe string.
    case bulkString([UInt8])
    /// RESP2 `$-1` and `*-1`, RESP3 `_`. Clients show both RESP2 nulls the same way, so they
    /// are not told apart.
    case null
    /// RESP3 `,` with its text exactly as sent (`3.14`, `inf`, `-nan`): clients print that
    /// text rather than re-format the value.
    case double([UInt8])
    /// RESP3 `#t` / `#f`.
    case boolean(Bool)
    /// RESP3 `(`: the decimal digits as sent, since they may not fit any integer type.
    case bigNumber([UInt8])
    /// RESP3 `=`: the three-letter format (`txt`, `mkd`) and the text after `fmt:`.
    case verbatimString(format: [UInt8], text: [UInt8])
    case array([RESPReply])
    /// RESP3 `%`: key-value pairs in the order the server sent them.
    case map([Pair])
    /// RESP3 `~`.
    case set([RESPReply])
    /// RESP3 `>`: out-of-band data such as pub/sub messages.
    case push([RESPReply])

    /// One entry of a `map`.
    public struct Pair: Sendable, Equatable {
        public var key: RESPReply
        public var value: RESPReply

        public init(key: RESPReply, value: RESPReply) {
            self.key = key
            self.value = value
        }
    }

    public var isError: Bool {
        if case .error = self { return true }
        return false
    }

    /// The payload of a simple, bulk or verbatim string, or an error message.
    public var stringBytes: [UInt8]? {
        switch self {
        case .simpleString(let bytes), .bulkString(let bytes), .error(let bytes): return bytes
        case .verbatimString(_, let text): return text
        default: return nil
        }
    }
}
