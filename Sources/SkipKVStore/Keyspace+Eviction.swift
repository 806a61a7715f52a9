import SkipKVIndex

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

    /// Frees the retired blocks no reader can reach any more, in every shard.
    public func reclaimUnreachable() {
        for index in 0..<shardCount { withShard(at: index) { $0.reclaimUnreachable() } }
    }
}
