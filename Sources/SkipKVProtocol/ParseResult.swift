/// What one `RequestParser.parse(_:into:)` call found at the start of the buffer.
public enum ParseResult: Sendable, Equatable {
    /// A complete command is in the `CommandArguments`. Its slices point into the buffer just
    /// parsed, so execute it before discarding bytes; afterwards the first `consumed` bytes
    /// may be discarded and the next call must start right after them.
    case command(consumed: Int)
    /// No complete command yet. The first `consumed` bytes held only empty requests (`*0`,
    /// blank inline lines) and may be discarded; the rest must be kept, and the next call must
    /// pass them again (moved if you like) followed by newly read bytes. At least
    /// `bytesNeeded` more bytes must arrive before a call can make progress: exact while
    /// waiting for bulk data, 1 while waiting for a line end. A client can announce a
    /// `maxBulkLength` bulk it never sends, so grow the receive buffer towards this gradually
    /// rather than reserving it up front.
    case incomplete(consumed: Int, bytesNeeded: Int)
    /// The stream is malformed; reply and close the connection.
    case error(ProtocolError)
}
