/// What one `ReplyParser.parse(_:)` call found at the start of the buffer.
public enum ReplyParseResult: Sendable, Equatable {
    /// A complete reply, which ended `consumed` bytes into the buffer; discard those and call
    /// again for the next one.
    case reply(RESPReply, consumed: Int)
    /// No complete reply yet. The first `consumed` bytes have been absorbed into the parser's
    /// partial reply and may be discarded; the rest must be passed again, followed by newly
    /// read bytes. At least `bytesNeeded` more bytes must arrive before a call can make
    /// progress: exact while waiting for bulk data, 1 while waiting for a line end.
    case incomplete(consumed: Int, bytesNeeded: Int)
    /// The stream is malformed; close the connection.
    case error(ReplyProtocolError)
}
