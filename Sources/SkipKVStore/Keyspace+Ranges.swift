import SkipKVKeys

/// Ordered range operations across shards.
extension Keyspace {
    /// Visits the keys of `range` in global ascending order (descending when `reverse`),
    /// skipping the first `offset` and stopping after `limit` visits (negative: no limit) or
    /// when `body` returns false. Values are passed only when `includeValues` (otherwise
    /// `body` gets an empty value). Returns the number of visits.
    ///
    /// With one shard the scan runs directly on it; otherwise per-shard cursors fetch bounded
    /// batches and a heap merges them (`MergedScan`), so memory stays bounded by the batch
    /// sizes whatever the range.
    /// Expired keys are skipped.
    @discardableResult
    public func forEach(
        in range: KeyRange, reverse: Bool = false, offset: Int = 0, limit: Int = -1, includeValues: Bool = true,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Bool
    ) -> Int {
        if limit == 0 || offset < 0 || range.isEmpty { return 0 }
        if shardCount == 1 {
            return withShard(at: 0) { $0.forEach(in: range, reverse: reverse, offset: offset, limit: limit, body) }
        }
        let expected = limit < 0 ? -1 : offset + limit
        var scan = MergedScan(self, range: range, reverse: reverse, includeValues: includeValues, expected: expected)
        return scan.run(offset: offset, limit: limit) { key, value, _ in body(key, value) }
    }

    /// `forEach` ascending that also passes each key's expiry deadline (0: none), for
    /// snapshots.
    @discardableResult
    public func forEachEntry(
        in range: KeyRange, limit: Int,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, _ deadline: Int64) -> Bool
    ) -> Int {
        if limit == 0 || range.isEmpty { return 0 }
        if shardCount == 1 {
            return withShard(at: 0) { $0.forEachEntry(in: range, reverse: false, offset: 0, limit: limit, body) }
        }
        var scan = MergedScan(self, range: range, reverse: false, includeValues: true, expected: limit)
        return scan.run(offset: 0, limit: limit, body)
    }

    /// Number of keys in `range`: the per-shard counts added up, no merge needed.
    public func count(in range: KeyRange) -> Int {
        if range.isEmpty { return 0 }
        var total = 0
        for index in 0..<shardCount { total += withShard(at: index) { $0.count(in: range) } }
        return total
    }
}
