/// A set of key stripes (`KeyStripeLocks`), one bit per stripe: what a transaction or a
/// multi-key command locks, and what a read validates against. 64 stripes, one word.
public struct StripeSet: Equatable, Sendable {
    public var bits: UInt64

    @inlinable
    public init(bits: UInt64 = 0) { self.bits = bits }

    /// Every stripe: commands over the whole keyspace or a key range (RANGEDEL, FLUSHALL,
    /// RANGE inside a transaction), whose keys may hash anywhere.
    public static let all = StripeSet(bits: .max)

    @inlinable
    public var isEmpty: Bool { bits == 0 }

    @inlinable
    public mutating func insert(stripe: Int) { bits |= 1 << UInt64(stripe) }

    @inlinable
    public func contains(stripe: Int) -> Bool { bits & (1 << UInt64(stripe)) != 0 }

    @inlinable
    public mutating func formUnion(_ other: StripeSet) { bits |= other.bits }

    /// Calls `body` with each stripe in the set, in ascending order (the lock order).
    @inlinable
    public func forEach(_ body: (Int) -> Void) {
        var remaining = bits
        while remaining != 0 {
            body(remaining.trailingZeroBitCount)
            remaining &= remaining &- 1
        }
    }

    /// As `forEach`, in descending order (the unlock order).
    @inlinable
    public func forEachDescending(_ body: (Int) -> Void) {
        var remaining = bits
        while remaining != 0 {
            let stripe = 63 - remaining.leadingZeroBitCount
            body(stripe)
            remaining &= ~(1 << UInt64(stripe))
        }
    }
}
