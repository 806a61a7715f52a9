import SkipKVIndex
import SkipKVKeys

/// Every change to stored data. Keeping them in one place gives durability a single hook: a
/// log record per call here (for `update`, the action the body chose, so replay needs no
/// command semantics) replays to the same state.
extension Keyspace {
    /// Inserts or overwrites `key`, subject to `condition`.
    @inlinable
    @discardableResult
    public func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, condition: PutCondition = .always) -> PutOutcome {
        withShard(for: key) { $0.put(key, value, condition: condition) }
    }

    /// Removes `key`; true when it was present.
    @inlinable
    @discardableResult
    public func remove(_ key: UnsafeRawBufferPointer) -> Bool {
        withShard(for: key) { $0.remove(key) }
    }

    /// Atomic read-modify-write of one key: `body` sees the current value (nil when absent)
    /// under the key's lock and decides what to store.
    @inlinable
    public func update<R>(_ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) -> (UpdateAction, R)) -> R {
        withShard(for: key) { $0.update(key, body) }
    }

    /// Removes every key in `range`; returns how many were removed.
    @discardableResult
    public func removeAll(in range: KeyRange) -> Int {
        if range.isEmpty { return 0 }
        var removed = 0
        for index in 0..<shardCount { removed += withShard(at: index) { $0.removeAll(in: range) } }
        return removed
    }

    /// Removes every key (FLUSHALL); returns how many were removed.
    @discardableResult
    public func removeAll() -> Int {
        removeAll(in: .all)
    }
}
