import SkipKVIndex
import SkipKVKeys

/// Expiry deadlines across shards: reads and writes that see or set a key's deadline, and
/// what the active expiry cycle, INFO and the volatile-* eviction policies read from each
/// shard's `DeadlineIndex`. Deadlines are Unix milliseconds; 0 means none. An expired key
/// that is not yet reclaimed is absent for every read and write (`BSkipList`).
extension Keyspace {
    /// Calls `body` with the value and deadline of `key`; nil when absent or expired.
    @inlinable
    public func withEntry<R>(forKey key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, Int64) -> R) -> R? {
        withShard(for: key) { $0.withEntry(forKey: key, body) }
    }

    /// `key`'s deadline (0: none), nil when absent or expired; no access is recorded.
    public func deadline(ofKey key: UnsafeRawBufferPointer) -> Int64? {
        withShard(for: key) { $0.deadline(ofKey: key) }
    }

    /// The deadline of `key`'s entry (0: none), expired or not; nil when absent
    /// (`BSkipList.storedDeadline`).
    public func storedDeadline(ofKey key: UnsafeRawBufferPointer) -> Int64? {
        withShard(for: key) { $0.storedDeadline(ofKey: key) }
    }

    /// Whether a key in `range` has a deadline in `since..<now`: one that expired after
    /// `since` and is not yet removed (a WATCHRANGE's EXEC). Every shard, in no order.
    public func hasKeyExpired(in range: KeyRange, since: Int64, now: Int64) -> Bool {
        anyStoredDeadline(in: range) { $0 != 0 && $0 >= since && $0 < now }
    }

    /// Whether `range` holds a key that was live at `since`: no deadline, or one at or after
    /// `since` (expired now or not). What a RANGEDEL or FLUSHALL changes for a WATCHRANGE.
    public func hasKey(in range: KeyRange, liveSince since: Int64) -> Bool {
        anyStoredDeadline(in: range) { $0 == 0 || $0 >= since }
    }

    private func anyStoredDeadline(in range: KeyRange, _ predicate: (Int64) -> Bool) -> Bool {
        var found = false
        for index in 0..<shardCount where !found {
            withShard(at: index) {
                $0.forEachEntry(in: range, reverse: false, offset: 0, limit: -1, includingExpired: true) { _, _, deadline in
                    found = predicate(deadline)
                    return !found
                }
            }
        }
        return found
    }

    /// Inserts or overwrites `key` with `deadline`; returns what it did and the key's
    /// deadline afterwards.
    @inlinable
    @discardableResult
    public func put(
        _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, condition: PutCondition, deadline: DeadlineChange
    ) -> (outcome: PutOutcome, deadline: Int64) {
        withShard(for: key) { $0.put(key, value, condition: condition, deadline: deadline) }
    }

    /// `update` whose body also sees the deadline; returns its result and the key's deadline
    /// afterwards (`BSkipList.updateWithDeadline`).
    @inlinable
    public func updateWithDeadline<R>(
        _ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?, Int64) -> (UpdateAction, R)
    ) -> (R, deadline: Int64) {
        withShard(for: key) { $0.updateWithDeadline(key, body) }
    }

    /// Removes `key`, expired or not, and says which it was.
    @inlinable
    public func removeEntry(_ key: UnsafeRawBufferPointer) -> Removal {
        withShard(for: key) { $0.removeEntry(key) }
    }

    /// The expiry cycle's step on shard `index` (`BSkipList.collectExpired`).
    @discardableResult
    public func collectExpired(
        shard index: Int, now: Int64, nodes limit: Int, examined: inout Int,
        _ body: (_ key: UnsafeRawBufferPointer, _ deadline: Int64) -> Void
    ) -> Int {
        withShard(at: index) { $0.collectExpired(now: now, nodes: limit, examined: &examined, body) }
    }

    /// The key of shard `index` whose deadline comes first (`BSkipList.earliestExpiringKey`).
    public func earliestExpiringKey(shard index: Int) -> (key: [UInt8], deadline: Int64)? {
        withShard(at: index) { $0.earliestExpiringKey() }
    }

    /// One sampling step over the keys with a deadline of shard `index`
    /// (`BSkipList.sampleKeysWithDeadline`).
    @discardableResult
    public func sampleKeysWithDeadline(
        shard index: Int, after hand: UnsafeRawBufferPointer?, count: Int, maximumGap: Int,
        _ body: (_ entry: UnsafeRawBufferPointer, _ key: UnsafeRawBufferPointer, _ score: UInt64) -> Void
    ) -> Int {
        withShard(at: index) { $0.sampleKeysWithDeadline(after: hand, count: count, maximumGap: maximumGap, body) }
    }

    /// Removes `key` if its deadline is still `deadline` and before `now` (`BSkipList.expire`);
    /// the caller holds the key's stripe.
    public func expire(_ key: UnsafeRawBufferPointer, deadline: Int64, now: Int64) -> Bool {
        withShard(for: key) { $0.expire(key, deadline: deadline, now: now) }
    }

    /// Keys with a deadline, expired ones not yet reclaimed included (INFO's `expires=`).
    public var keysWithDeadline: Int {
        var total = 0
        for index in 0..<shardCount { total += withShard(at: index) { $0.deadlines?.count ?? 0 } }
        return total
    }

    /// Nodes, over all shards, holding keys whose deadline may have passed at `now` (their
    /// bound has): what the active cycle still has to examine.
    public func countDueNodes(now: Int64) -> Int {
        var total = 0
        for index in 0..<shardCount { total += withShard(at: index) { $0.deadlines?.countDueNodes(now: now) ?? 0 } }
        return total
    }

    /// Nodes of shard `index` indexed by deadline (what the volatile samplers walk).
    public func nodesWithDeadlines(inShard index: Int) -> Int {
        withShard(at: index) { $0.deadlines?.nodeCount ?? 0 }
    }

    /// The mean deadline of the keys that have one (second precision), nil when none has.
    public var meanDeadline: Int64? {
        var weighted = 0.0
        var total = 0
        for index in 0..<shardCount {
            withShard(at: index) { shard in
                guard let deadlines = shard.deadlines, let mean = deadlines.meanDeadline else { return }
                weighted += Double(mean) * Double(deadlines.count)
                total += deadlines.count
            }
        }
        return total > 0 ? Int64(weighted / Double(total)) : nil
    }

    /// Removes every key whose deadline is before `now`, without logging (recovery, which
    /// replays to the same result every time); returns how many.
    public func removeExpired(now: Int64) -> Int {
        var removed = 0
        var due: [(key: [UInt8], deadline: Int64)] = []
        var examined = 0
        for index in 0..<shardCount {
            while true {
                due.removeAll(keepingCapacity: true)
                let nodes = collectExpired(shard: index, now: now, nodes: 64, examined: &examined) { due.append((Array($0), $1)) }
                for (key, deadline) in due where key.withUnsafeBytes({ expire($0, deadline: deadline, now: now) }) {
                    removed += 1
                }
                if nodes < 64 { break }
            }
        }
        return removed
    }
}
