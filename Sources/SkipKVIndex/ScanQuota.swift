/// The offset and limit of one range iteration (`forEach`), shared by both structures: which
/// entries in range are skipped, which are handed to the caller, and when to stop.
@_spi(IndexInternals) public struct ScanQuota {
    @usableFromInline var toSkip: Int
    @usableFromInline let limit: Int
    /// Entries handed to the caller so far.
    public var seen = 0

    /// A negative `limit` means no limit.
    @inlinable public init(offset: Int, limit: Int) {
        toSkip = max(0, offset)
        self.limit = limit
    }

    /// Skips a run of `count` entries in range at once when the offset still covers all of them.
    mutating func skipRun(_ count: Int) -> Bool {
        guard count > 0, toSkip >= count else { return false }
        toSkip -= count
        return true
    }

    /// Accounts for the next entry in range: calls `visit` unless the offset skips it, and
    /// returns whether the iteration goes on (`visit` returned true and the limit is not reached).
    @inlinable public mutating func offer(_ visit: () -> Bool) -> Bool {
        if toSkip > 0 {
            toSkip -= 1
            return true
        }
        seen += 1
        return visit() && seen != limit
    }
}
