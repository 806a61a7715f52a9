/// A reply a connection waits for; replies arrive in the order the requests were sent.
struct PendingReply {
    var kind: NetRequestKind
    /// The last reply of its operation: its arrival ends the operation's latency.
    var completesOperation: Bool
    /// The key number of a read-for-update, for the SET that follows it.
    var keyNumber: UInt64
    /// When the operation's first request was written; 0 until its batch is written.
    var startNanos: UInt64
}
