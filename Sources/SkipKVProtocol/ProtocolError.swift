/// A malformed request. The server should reply with `message` (as an `ERR` error, see
/// `ReplyWriter.writeError(_: ProtocolError)`) and close the connection, as Redis does:
/// the parser cannot resynchronise with the stream after one of these.
public enum ProtocolError: Error, Sendable, Equatable {
    /// An inline command line longer than `ParserLimits.maxInlineLength`.
    case tooBigInlineRequest
    /// An inline command with an unterminated quote, or a closing quote not followed by a
    /// space or the end of the line.
    case unbalancedQuotes
    /// A `*<n>` header line longer than `ParserLimits.maxInlineLength`.
    case tooBigMultibulkCount
    /// A `*<n>` count that is not a strict decimal integer or exceeds `ParserLimits.maxArguments`.
    case invalidMultibulkLength
    /// A `$<n>` header line longer than `ParserLimits.maxInlineLength`.
    case tooBigBulkCount
    /// A multibulk element that does not start with `$`; carries the byte found instead.
    case expectedBulk(got: UInt8)
    /// A `$<n>` length that is not a strict non-negative decimal integer or exceeds
    /// `ParserLimits.maxBulkLength`.
    case invalidBulkLength
    /// A `*<n>` count above `ParserLimits.unauthenticatedMaxArguments` from a client that has
    /// not authenticated.
    case unauthenticatedMultibulkLength
    /// A `$<n>` length above `ParserLimits.unauthenticatedMaxBulkLength` from a client that
    /// has not authenticated.
    case unauthenticatedBulkLength
    /// Bulk data not followed by CRLF. Redis skips those two bytes unchecked; we reject them
    /// so a client with a wrong length fails loudly instead of desynchronising.
    case unterminatedBulk

    /// The error text Redis sends for the same condition (without the `ERR ` code).
    public var message: String {
        switch self {
        case .tooBigInlineRequest: return "Protocol error: too big inline request"
        case .unbalancedQuotes: return "Protocol error: unbalanced quotes in request"
        case .tooBigMultibulkCount: return "Protocol error: too big mbulk count string"
        case .invalidMultibulkLength: return "Protocol error: invalid multibulk length"
        case .tooBigBulkCount: return "Protocol error: too big bulk count string"
        case .expectedBulk(let byte): return "Protocol error: expected '$', got '\(Self.printable(byte))'"
        case .invalidBulkLength: return "Protocol error: invalid bulk length"
        case .unterminatedBulk: return "Protocol error: expected CRLF after bulk data"
        case .unauthenticatedMultibulkLength: return "Protocol error: unauthenticated multibulk length"
        case .unauthenticatedBulkLength: return "Protocol error: unauthenticated bulk length"
        }
    }

    /// Redis echoes the raw byte, turning CR and LF into spaces so the reply stays one line.
    /// A Swift String cannot hold arbitrary bytes, so other bytes outside printable ASCII are
    /// shown as `\xHH` instead.
    private static func printable(_ byte: UInt8) -> String {
        if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") { return " " }
        if byte >= 0x20 && byte < 0x7F { return String(UnicodeScalar(byte)) }
        let hex = String(byte, radix: 16, uppercase: false)
        return byte < 0x10 ? "\\x0" + hex : "\\x" + hex
    }
}
