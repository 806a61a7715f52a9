import SkipKVIndex

/// The whole SkipKV keyspace: `shardCount` concurrent B-skiplists, each key living in the
/// shard its seeded hash picks. Point operations touch only that shard; range operations
/// visit every shard and merge the results into one key-ordered stream (`MergedScan`).
///
/// Concurrency contract. Every method may be called from any thread at any time; the shards
/// are thread-safe and this class adds no mutable state of its own apart from the
/// `ScanCursorTable`, which locks internally. The guarantees are the index's: each
/// single-key operation is linearizable; a range operation is not a snapshot but returns keys
/// in order, each at most once, including every key present throughout the call and no key
/// absent throughout it. Closures passed in may run while a shard holds a node lock, so they
/// must be short and must not call back into the keyspace.
///
/// Every change to stored data goes through `Keyspace+Mutations.swift`; that is the boundary
/// where a write-ahead log will hook in.
public final class Keyspace: @unchecked Sendable {
    public let shardCount: Int
    /// Unmanaged so that routing a command to a shard does not touch the shard's reference
    /// count, a cache line every loop thread would otherwise write on every command.
    @usableFromInline let shards: UnsafeMutablePointer<Unmanaged<BSkipList>>
    @usableFromInline let shardHash: SeededHash
    let scanCursors = ScanCursorTable()
    /// Heap bytes of every shard, in one pair of counters so that reading the total (on every
    /// command when `maxmemory` is set) costs one striped sum whatever the shard count.
    public let memory = MemoryCounters()
    /// What every shard's access fields record (set from `maxmemory-policy`).
    public let access: AccessTracker
    /// The time every shard compares expiry deadlines with.
    public let clock: ExpiryClock
    /// Expired keys point reads found, for the server to remove (lazy expiry).
    public let expiredReads = ExpiredReads()

    /// - Parameters:
    ///   - shards: number of B-skiplists, at least 1.
    ///   - nodeBytes: node size of each B-skiplist.
    ///   - seed: seeds the shard hash and the shards' height hashes.
    ///   - clock: the real-time clock; unit tests pass one that stands still.
    public init(shards: Int, nodeBytes: Int, seed: UInt64 = UInt64.random(in: 0...UInt64.max), clock: ExpiryClock = ExpiryClock()) {
        precondition(shards >= 1, "a keyspace needs at least one shard")
        self.clock = clock
        shardCount = shards
        shardHash = SeededHash(seed: seed)
        access = AccessTracker(seed: SeededHash.finalize(seed ^ 0xACCE55))
        self.shards = .allocate(capacity: shards)
        for index in 0..<shards {
            let shard = BSkipList(nodeBytes: nodeBytes, seed: SeededHash.finalize(seed &+ UInt64(index) &+ 1),
                                  memory: memory, access: access, clock: clock, expiredReads: expiredReads)
            (self.shards + index).initialize(to: Unmanaged.passRetained(shard))
        }
    }

    deinit {
        for index in 0..<shardCount { shards[index].release() }
        shards.deallocate()
    }

    /// The shard that holds (or would hold) `key`.
    @inlinable
    func shardIndex(for key: UnsafeRawBufferPointer) -> Int {
        if shardCount == 1 { return 0 }
        // Lemire's multiply-shift reduction: uniform like `%` without a division.
        return Int(truncatingIfNeeded: shardHash.hash(key).multipliedFullWidth(by: UInt64(shardCount)).high)
    }

    /// The seeded hash that picks a key's shard (from its high bits); callers may stripe
    /// other per-key state by its low bits.
    @inlinable
    public func keyHash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        shardHash.hash(key)
    }

    /// Calls `body` with the shard that holds (or would hold) `key`.
    @inlinable
    func withShard<R>(for key: UnsafeRawBufferPointer, _ body: (BSkipList) -> R) -> R {
        shards[shardIndex(for: key)]._withUnsafeGuaranteedRef(body)
    }

    @inlinable
    func withShard<R>(at index: Int, _ body: (BSkipList) -> R) -> R {
        shards[index]._withUnsafeGuaranteedRef(body)
    }

    // MARK: Reads

    /// Calls `body` with the value of `key` and returns its result, or nil when absent.
    @inlinable
    public func withValue<R>(forKey key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        withShard(for: key) { $0.withValue(forKey: key, body) }
    }

    /// Whether `key` is present; not an access for the eviction policies.
    @inlinable
    public func contains(_ key: UnsafeRawBufferPointer) -> Bool {
        withShard(for: key) { $0.contains(key) }
    }

    /// Total number of keys (exact when no writer is active).
    public var count: Int {
        var total = 0
        for index in 0..<shardCount { total += withShard(at: index) { $0.count } }
        return total
    }

    /// Bytes held for nodes, keys and values across all shards, after freeing what the
    /// shards' reclaimers can free.
    public var bytesInUse: Int {
        reclaimUnreachable()
        return memory.inUse.value
    }

    /// Bytes held for nodes, keys and values across all shards as the counter reads now: one
    /// striped sum, cheap enough for every command. Includes retired blocks not yet freed.
    public var memoryInUse: Int { memory.inUse.value }

    /// The part of `memoryInUse` retired and waiting to be freed once no reader can reach it.
    public var memoryAwaitingReclamation: Int { memory.awaitingReclamation.value }

    /// Number of keys in shard `index`.
    public func count(inShard index: Int) -> Int {
        withShard(at: index) { $0.count }
    }

    /// Checks every shard's structure and that every key lives in the shard its hash picks.
    /// Only while no other thread uses the keyspace.
    public func checkInvariants() throws {
        var held = 0
        for index in 0..<shardCount {
            let shard = shards[index].takeUnretainedValue()
            held += try shard.checkStructure()
            var misplaced: [UInt8]? = nil
            shard.forEach(in: .all, reverse: false, offset: 0, limit: -1) { key, _ in
                if shardIndex(for: key) != index { misplaced = Array(key) }
                return misplaced == nil
            }
            if let misplaced { throw InvariantViolation("key \(misplaced) found in shard \(index)") }
        }
        if held != bytesInUse { throw InvariantViolation("bytesInUse \(bytesInUse) but the shards hold \(held) bytes") }
    }
}
