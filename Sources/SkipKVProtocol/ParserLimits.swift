/// Size limits the request parser enforces so a client cannot make the server buffer or
/// allocate without bound. Exceeding one is a protocol error, after which the connection
/// should be closed.
public struct ParserLimits: Sendable, Equatable {
    /// Largest accepted bulk argument, in bytes. Redis's `proto-max-bulk-len` default.
    public var maxBulkLength: Int
    /// Largest accepted multibulk count (arguments per command). Redis 7 accepts up to
    /// INT_MAX because it grows its argument vector gradually, as we do; we keep the older
    /// Redis cap of 1,048,576 since no SkipKV command needs more and it bounds the span
    /// table a single request can make us build.
    public var maxArguments: Int
    /// Longest inline command line (the bytes before its LF, so a CR counts) and longest
    /// `*<n>` / `$<n>` header line (the bytes before its CRLF). Redis's PROTO_INLINE_MAX_SIZE.
    public var maxInlineLength: Int
    /// Whether the client still has to authenticate (`requirepass` is set and it has not yet
    /// sent a good AUTH or HELLO AUTH). Such a client may send at most
    /// `unauthenticatedMaxArguments` arguments of at most `unauthenticatedMaxBulkLength`
    /// bytes each, as in Redis, so a stranger cannot make the server buffer much before it
    /// has proven anything.
    public var authenticationPending = false

    public static let unauthenticatedMaxArguments = 10
    public static let unauthenticatedMaxBulkLength = 16 * 1024

    public init(
        maxBulkLength: Int = 512 * 1024 * 1024,
        maxArguments: Int = 1024 * 1024,
        maxInlineLength: Int = 64 * 1024
    ) {
        self.maxBulkLength = maxBulkLength
        self.maxArguments = maxArguments
        self.maxInlineLength = maxInlineLength
    }
}
