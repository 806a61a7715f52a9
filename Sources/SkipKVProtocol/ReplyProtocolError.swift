/// A reply stream a client cannot make sense of. Like a malformed request on the server side,
/// it leaves the parser out of step with the stream, so the connection must be dropped.
public enum ReplyProtocolError: Error, Sendable, Equatable {
    /// The first byte of a reply is not a RESP2 or RESP3 type marker. RESP3 streamed strings
    /// and aggregates (`$?`, `*?`) also end up here: no Redis-compatible server sends them.
    case unexpectedTypeByte(UInt8)
    /// A header line not terminated by CRLF, or bulk data not followed by CRLF.
    case missingLineTerminator
    /// A length or element count that is not a decimal integer of -1 or more (-1 only where
    /// RESP2 uses it for null).
    case invalidLength
    /// An integer reply that is not a decimal 64-bit integer.
    case invalidInteger
    /// A double, big number, boolean or null whose text is not of its type's form.
    case invalidScalar(type: UInt8)
    /// A verbatim string shorter than its `fmt:` prefix.
    case invalidVerbatimString

    /// hiredis's wording where it has one, since users know it from redis-cli.
    public var message: String {
        switch self {
        case .unexpectedTypeByte(let byte):
            return "Protocol error, got \(Self.quoted(byte)) as reply type byte"
        case .missingLineTerminator: return "Protocol error, expected CRLF"
        case .invalidLength: return "Protocol error, bad length or element count"
        case .invalidInteger: return "Bad integer value"
        case .invalidScalar(let type): return "Protocol error, bad \(Self.quoted(type)) value"
        case .invalidVerbatimString: return "Verbatim string 4 bytes of content type are missing or incorrectly encoded."
        }
    }

    /// `"x"` for a printable byte, `"\xHH"` otherwise.
    private static func quoted(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
            return "\"" + String(UnicodeScalar(byte)) + "\""
        }
        let hex = String(byte, radix: 16)
        return "\"\\x" + (byte < 0x10 ? "0" : "") + hex + "\""
    }
}
