import SkipKVKeys

/// The keys of one B-skiplist that have an expiry deadline, ordered by (deadline, key): a
/// second B-skiplist whose keys are the deadline (8 bytes, big-endian, so byte order is time
/// order) followed by the key, with empty values. The active expiry cycle reads it from the
/// front, so it finds exactly the keys whose time has passed, oldest first, instead of
/// sampling for them as Redis does; volatile-ttl evicts from its front; volatile-lru, -lfu and
/// -random sample it.
///
/// Concurrency contract: every method may be called from any thread (the list is the
/// concurrent B-skiplist). The owning `BSkipList` updates it after each change of a key's
/// deadline, outside the key's node locks, so for a moment an entry may be missing for a
/// key that just got its deadline or linger for one that just lost it. The server changes
/// a key only under its key stripe (`JournaledKeyspace`), and the expiry cycle re-checks the
/// key's deadline under that stripe before it removes anything (`BSkipList.expire`), so
/// there it is exact: a lingering entry is dropped, never acted on. Writers racing on one
/// key without such a lock can leave a stale entry, never lose the current one: the entry
/// for a deadline is removed only by the writer that replaced that deadline, which comes
/// after the writer that added it.
public final class DeadlineIndex: @unchecked Sendable {
    let list: BSkipList
    /// The sum of every indexed deadline as whole seconds since `epoch`, each clamped to
    /// 0...2^32 (for INFO's avg_ttl, an estimate in Redis too): the sum of even 10^8 far-future
    /// deadlines stays well inside 63 bits.
    private let secondsSum = StripedCounter()
    private static let epoch: Int64 = 1_577_836_800  // 2020-01-01, in Unix seconds

    private static func summand(_ deadline: Int64) -> Int {
        Int(min(max(deadline / 1000 - epoch, 0), 1 << 32))
    }

    init(nodeBytes: Int, seed: UInt64, memory: MemoryCounters) {
        list = BSkipList(nodeBytes: nodeBytes, seed: seed, memory: memory, indexesDeadlines: false)
    }

    public var count: Int { list.count }

    /// The mean of the indexed deadlines, in Unix milliseconds (second precision), or nil
    /// when none is indexed.
    public var meanDeadline: Int64? {
        let n = count
        return n > 0 ? (Int64(secondsSum.value / n) + Self.epoch) * 1000 : nil
    }

    /// Replaces `key`'s entry for deadline `old` by one for `new` (either may be 0: none).
    func move(_ key: UnsafeRawBufferPointer, from old: Int64, to new: Int64, stripe: UInt64) {
        if old == new { return }
        if old != 0 { remove(key, old, stripe: stripe) }
        if new != 0 {
            Self.withEntryKey(key, new) { list.put($0, UnsafeRawBufferPointer(start: nil, count: 0), condition: .always) }
            secondsSum.add(Self.summand(new), stripe: stripe)
        }
    }

    func remove(_ key: UnsafeRawBufferPointer, _ deadline: Int64, stripe: UInt64) {
        if Self.withEntryKey(key, deadline, { list.remove($0) }) {
            secondsSum.add(-Self.summand(deadline), stripe: stripe)
        }
    }

    /// Calls `body` with up to `limit` indexed (key, deadline) pairs whose deadline is before
    /// `now` (expired), earliest first; returns how many.
    @discardableResult
    public func forEachDue(now: Int64, limit: Int, _ body: (_ key: UnsafeRawBufferPointer, _ deadline: Int64) -> Void) -> Int {
        let upper = Self.deadlinePrefix(now)
        return list.forEach(in: KeyRange(lower: .unbounded, upper: .exclusive(upper)), reverse: false, offset: 0,
                            limit: limit) { entry, _ in
            Self.split(entry, body)
            return true
        }
    }

    /// The number of indexed keys whose deadline is before `now`.
    public func countDue(now: Int64) -> Int {
        list.count(in: KeyRange(lower: .unbounded, upper: .exclusive(Self.deadlinePrefix(now))))
    }

    /// Calls `body` with up to `limit` indexed pairs, earliest deadline first.
    @discardableResult
    public func forEachEarliest(limit: Int, _ body: (_ key: UnsafeRawBufferPointer, _ deadline: Int64) -> Void) -> Int {
        list.forEach(in: .all, reverse: false, offset: 0, limit: limit) { entry, _ in
            Self.split(entry, body)
            return true
        }
    }

    /// One step of a sampler over the indexed keys (`BSkipList.sampleForEviction` on the
    /// list): `hand` and the `entry` passed to `body` are index entries (deadline prefix and
    /// key), `key` the key alone.
    @discardableResult
    public func sample(
        after hand: UnsafeRawBufferPointer?, count: Int, maximumGap: Int,
        _ body: (_ entry: UnsafeRawBufferPointer, _ key: UnsafeRawBufferPointer) -> Void
    ) -> Int {
        list.sampleForEviction(after: hand, count: count, maximumGap: maximumGap) { entry, _ in
            body(entry, UnsafeRawBufferPointer(rebasing: entry[8...]))
        }
    }

    static func deadlinePrefix(_ deadline: Int64) -> [UInt8] {
        withUnsafeBytes(of: UInt64(bitPattern: deadline).bigEndian) { Array($0) }
    }

    private static func split(_ entry: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, Int64) -> Void) {
        let deadline = Int64(bitPattern: UInt64(bigEndian: entry.loadUnaligned(as: UInt64.self)))
        body(UnsafeRawBufferPointer(rebasing: entry[8...]), deadline)
    }

    private static func withEntryKey<R>(_ key: UnsafeRawBufferPointer, _ deadline: Int64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: 8 + key.count, alignment: 8) { buffer in
            buffer.storeBytes(of: UInt64(bitPattern: deadline).bigEndian, as: UInt64.self)
            if key.count > 0 { (buffer.baseAddress! + 8).copyMemory(from: key.baseAddress!, byteCount: key.count) }
            return body(UnsafeRawBufferPointer(buffer))
        }
    }
}
