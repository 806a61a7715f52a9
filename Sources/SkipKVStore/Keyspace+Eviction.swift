import SkipKVIndex
import SkipKVKeys

/// What eviction and MEMORY USAGE need from the keyspace, shard by shard (see
/// `BSkipList.sampleForEviction` for the sampler).
extension Keyspace {
    /// One sampling step of shard `index` (`BSkipList.sampleForEviction`).
    @discardableResult
    public func sampleForEviction(
        shard index: Int, after hand: UnsafeRawBufferPointer?, count: Int, maximumGap: Int,
        _ body: (_ key: UnsafeRawBufferPointer, _ score: UInt64) -> Void
    ) -> Int {
        withShard(at: index) { $0.sampleForEviction(after: hand, count: count, maximumGap: maximumGap, body) }
    }

    /// The heap bytes `key` occupies in its shard, nil when absent (`BSkipList.memoryUsage`).
    public func memoryUsage(ofKey key: UnsafeRawBufferPointer) -> Int? {
        withShard(for: key) { $0.memoryUsage(ofKey: key) }
    }

    /// The eviction score of `key`, nil when absent (`BSkipList.evictionScore`).
    public func evictionScore(ofKey key: UnsafeRawBufferPointer) -> UInt64? {
        withShard(for: key) { $0.evictionScore(ofKey: key) }
    }

    /// A key chosen uniformly enough for RANDOMKEY, nil when the keyspace is empty: a shard
    /// with probability proportional to its key count, then a uniform position in it, reached
    /// by the eviction sampler's level-0 walk (`BSkipList.sampleForEviction` from the lowest
    /// key with one gap drawn from 0..<count). Counts move under concurrent writes, so
    /// "uniform" holds for a keyspace that is not changing.
    public func randomKey() -> [UInt8]? {
        var counts = (0..<shardCount).map { count(inShard: $0) }
        // A pick may be an expired key the active cycle has not removed yet: pick again, and
        // after a bounded number of tries (a keyspace of mostly expired keys) take the first
        // live key at or after the last pick.
        var last: [UInt8]? = nil
        for _ in 0..<100 {
            let total = counts.reduce(0, +)
            if total == 0 { return nil }
            var pick = Int.random(in: 0..<total)
            var shard = 0
            while pick >= counts[shard] {
                pick -= counts[shard]
                shard += 1
            }
            var key: [UInt8]? = nil
            sampleForEviction(shard: shard, after: nil, count: 1, maximumGap: counts[shard] - 1) { sampled, _ in key = Array(sampled) }
            if let key {
                if key.withUnsafeBytes({ contains($0) }) { return key }
                last = key
                continue
            }
            // The shard emptied since it was counted: count again.
            counts = (0..<shardCount).map { count(inShard: $0) }
        }
        var found: [UInt8]? = nil
        for range in [KeyRange(lower: last.map { .inclusive($0) } ?? .unbounded, upper: .unbounded), .all] where found == nil {
            forEach(in: range, limit: 1, includeValues: false) { key, _ in
                found = Array(key)
                return false
            }
        }
        return found
    }

    /// Frees the retired blocks no reader can reach any more, in every shard.
    public func reclaimUnreachable() {
        for index in 0..<shardCount { withShard(at: index) { $0.reclaimUnreachable() } }
    }
}
