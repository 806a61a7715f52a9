#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A concurrent B-skiplist (Luo, Hao, Wheatman, Pandey, Xu, ICPP 2025): a skiplist whose
/// nodes hold many sorted entries, with top-down single-pass insertion and top-down lock
/// coupling.
///
/// Structure. Level 0 holds every (key, value); level l > 0 holds the keys whose height is at
/// least l, each with a pointer to the node one level down that starts with that key. A key of
/// height h is therefore the first entry of its node at every level below h. Heights come from
/// a seeded hash of the key bytes (`KeyHeight`) with promotion probability about 1/capacity, so
/// a delete recomputes the height an insert chose. Each node caches its successor's first key
/// (its two key words and length) so the move-right test rarely touches the successor. Every level starts
/// at a head node whose slot 0 is a minus-infinity sentinel.
///
/// Concurrency contract. Every method may be called from any thread at any time, except
/// `checkInvariants`, which needs the index to be quiescent.
///  - Each node has a reader-writer spin lock (`NodeLock`) protecting every field of the node.
///  - Locks are taken top-down (higher level first) and, within a level, left to right; a thread
///    never waits for a lock above or to the left of one it holds, so there is no deadlock. The
///    only exception is a node a writer allocates already write-locked; it is unreachable until
///    linked, and nobody else can hold it before that.
///  - Readers (`withValue`, scans, counts) read-lock-couple: they release a node only after
///    locking the next one (right or down).
///  - Writers of a key k of height h read-lock-couple down to level h+1 and write-lock from level
///    h down. At level h they hold the node holding the largest key below k (and its successor
///    when that starts with k); every operation on k passes through that node, so holding it
///    serializes all operations on k: this is the key's lock. Updates and read-modify-writes
///    change the value under the level-0 write lock reached from it.
///  - An insert fixes its height before descending, inserts at level h (splitting a full node in
///    half, the right half linked only through `next`), and below h splits the node at k so that
///    a new node starts with k. New nodes below h are created write-locked so a reader who
///    follows the new level-h entry waits until the node is complete.
///  - A delete removes k level by level from h down; a node that loses its first key merges
///    into its left neighbour (held) when they fit, and an emptied node is unlinked. Under-full
///    nodes also absorb a parentless right neighbour.
///  - Read coupling is optimistic by default (`ReadCoupling`): above the level where a
///    operation locks, it reads nodes without locking, validating each node's version before
///    following a pointer out of it, and falls back to read locks after repeated conflicts.
///  - One field is written under a shared lock: a level-0 entry's access field (`AccessTracker`),
///    which reads and writes of the key update, while access tracking is on, with relaxed
///    atomics on the entry's `StoredKey` word (its other bits change only under the exclusive
///    lock). Eviction samples keys under read locks (`sampleForEviction`) and removes them
///    afterwards through the ordinary delete path.
/// What a reader may observe: every single-key operation is linearizable (its effect happens
/// while it holds the key's lock). A scan is not a snapshot: it returns keys in order, each at
/// most once, every key present for the whole scan, and no key absent for the whole scan.
/// Memory reclamation: a node is unlinked only by a writer that holds write locks on it and on
/// every node that points at it (its left neighbour, and its parent entry's node, which has
/// already dropped the entry); with lock coupling, any thread that could still reach the node
/// would hold one of those locks. With read locks only, the node is freed at once. Optimistic
/// readers hold no locks, so with optimistic coupling every operation pins an
/// `EpochReclaimer` and unlinked nodes and out-of-line keys (which optimistic readers compare)
/// are unlocked, which bumps their version so stale readers fail validation, and retired; they
/// are freed once no pinned thread can reach them. Values are read only under a leaf lock and
/// are freed under the write lock of the node that held them.
public final class BSkipList: OrderedKeyValueIndex, @unchecked Sendable {
    /// How readers traverse the levels above the one where they lock.
    public enum ReadCoupling: Sendable {
        /// Version-validated reads without locks, with epoch-based reclamation.
        case optimistic
        /// Read-lock coupling all the way down.
        case locked
    }

    public let readCoupling: ReadCoupling
    /// Defers frees while optimistic readers may still look; nil with `.locked`.
    let reclaimer: EpochReclaimer?
    /// Entries per node.
    public let capacity: Int
    /// Bytes allocated per node.
    public let nodeBytes: Int
    let heights: KeyHeight
    /// `heads[l]` is the head node of level l; all exist from the start.
    let heads: UnsafeMutablePointer<BNode>
    let topLevel: Int
    let keyCounter = StripedCounter()
    /// Heap bytes held, possibly shared with the other shards of a keyspace.
    public let memory: MemoryCounters
    /// Whether `memory` counts this index alone (then `checkInvariants` can compare it).
    let ownsMemoryCounters: Bool
    /// `memory.inUse`, held directly so the per-allocation update is one load away.
    let byteCounter: StripedCounter
    /// What the access fields of level-0 entries record (shared across a keyspace's shards).
    public let access: AccessTracker
    /// The time keys' expiry deadlines are compared with (shared across a keyspace's shards).
    public let clock: ExpiryClock
    /// The keys with a deadline, by deadline; nil in a deadline index's own list.
    public let deadlines: DeadlineIndex?
    /// Cells for the value blocks of keys with a deadline and a short value.
    let cells = CellPool()
    /// Where point reads note the expired keys they find (shared across a keyspace's shards;
    /// nil: not noted).
    public let expiredReads: ExpiredReads?

    /// A merge happens when two neighbours fit in this many entries; the slack avoids a split
    /// followed at once by a merge of the same pair.
    var mergeLimit: Int { capacity * 3 / 4 }

    /// - Parameters:
    ///   - nodeBytes: bytes per node; entries per node = (nodeBytes - 64) / 32.
    ///   - promotionDenominator: a key reaches each next level with probability about
    ///     1/promotionDenominator (rounded to a power of two); default: the capacity, so a
    ///     run of keys between two tall keys fills about one node.
    ///   - readCoupling: how reads descend; optimistic unless measuring.
    ///   - seed: mixed into the height hash.
    ///   - memory: counters to share with other indexes (a keyspace's shards); nil for its own.
    ///   - access: the access tracker to share with other indexes; nil for its own (off).
    ///   - clock: the expiry clock to share with other indexes; nil for its own.
    ///   - indexesDeadlines: whether to keep a `DeadlineIndex` of the keys with a deadline
    ///     (false only for that index's own list, whose keys have none).
    ///   - expiredReads: where point reads note expired keys they find; nil for nowhere.
    public init(nodeBytes: Int = 4096, promotionDenominator: Int? = nil, readCoupling: ReadCoupling = .optimistic,
                seed: UInt64 = UInt64.random(in: 0...UInt64.max), memory: MemoryCounters? = nil,
                access: AccessTracker? = nil, clock: ExpiryClock? = nil, indexesDeadlines: Bool = true,
                expiredReads: ExpiredReads? = nil) {
        self.expiredReads = expiredReads
        self.readCoupling = readCoupling
        let counters = memory ?? MemoryCounters()
        self.memory = counters
        ownsMemoryCounters = memory == nil
        self.access = access ?? AccessTracker(seed: seed)
        self.clock = clock ?? ExpiryClock()
        // The expiry cycle reaches nodes through the index without the list's lock coupling,
        // which only the epoch reclaimer (optimistic coupling) keeps safe from frees.
        deadlines = indexesDeadlines && readCoupling == .optimistic
            ? DeadlineIndex(nodeBytes: nodeBytes, seed: SeededHash.finalize(seed ^ 0xDEAD11E), memory: counters) : nil
        let byteCounter = counters.inUse
        self.byteCounter = byteCounter
        reclaimer = readCoupling == .optimistic ? EpochReclaimer(memory: counters) : nil
        capacity = BNode.capacity(forNodeBytes: nodeBytes)
        self.nodeBytes = BNode.allocationBytes(capacity: capacity)
        heights = KeyHeight(promotionDenominator: promotionDenominator ?? capacity, seed: seed)
        topLevel = heights.maxHeight
        heads = .allocate(capacity: topLevel + 1)
        for level in 0...topLevel {
            let head = BNode.allocate(capacity: capacity, level: level, lockedForWrite: false)
            head.flags = BNode.headFlag | BNode.parentFlag
            head.count = 1
            head.setEntry(0, key: .empty, stored: .empty,
                          payload: level == 0 ? 0 : UInt64(UInt(bitPattern: heads[level - 1].raw)))
            (heads + level).initialize(to: head)
            byteCounter.add(self.nodeBytes, stripe: 0)
        }
    }

    deinit {
        for level in 0...topLevel {
            var node: BNode? = heads[level]
            while let current = node {
                node = current.next
                if level == 0 {
                    for i in (current.isHead ? 1 : 0)..<current.count {
                        // Cells go with the pool.
                        let bytes = valueBlockBytes(current, i)
                        if bytes > 0 && !isCell(bytes, hasDeadline: current.storedKey(i).hasDeadline) {
                            current.valueBlock(i).deallocate()
                        }
                        current.storedKey(i).block?.deallocate()
                    }
                }
                current.deallocate()
            }
        }
        heads.deallocate()
    }

    public var count: Int { keyCounter.value }
    /// Frees what the reclaimer can free first, so retired memory does not linger in the figure.
    /// Counts every index sharing `memory`.
    public var bytesInUse: Int {
        reclaimUnreachable()
        return byteCounter.value
    }

    /// Frees the retired blocks no reader can reach any more.
    public func reclaimUnreachable() {
        reclaimer?.drain()
        deadlines?.nodes.reclaimUnreachable()
    }

    // MARK: storage of keys and values

    /// A key's stored word, copying a key longer than 16 bytes out of line, with the access
    /// field of a new key.
    func makeStoredKey(_ key: UnsafeRawBufferPointer, valueLength: Int, stripe: UInt64) -> StoredKey {
        let stored = StoredKey.make(key, valueLength: valueLength)
        if let block = stored.block { byteCounter.add(block.footprint, stripe: stripe) }
        return access.isTracking ? withInitialAccess(stored) : stored
    }

    /// `stored` with the access field of a key written now. Out of line, so that the common
    /// path without tracking stays small enough for its callers to inline their helpers.
    @inline(never)
    func withInitialAccess(_ stored: StoredKey) -> StoredKey {
        guard let stamp = access.now() else { return stored }
        return stored.setting(access: stamp.initialField(width: stored.accessWidth))
    }

    /// Encodes a value as a payload: inline when at most 8 bytes, else a copy out of line; a
    /// key with a deadline (non-zero) always gets an `ExpiringValue` block.
    func makeValuePayload(_ value: UnsafeRawBufferPointer, deadline: Int64, stripe: UInt64) -> UInt64 {
        if deadline != 0 {
            let bytes = ExpiringValue.headerBytes + value.count
            let block = isCell(bytes, hasDeadline: true)
                ? cells.allocate() : UnsafeMutableRawPointer.allocate(byteCount: ValueBlock.room(for: bytes), alignment: 8)
            ExpiringValue.write(value, deadline: deadline, to: block)
            byteCounter.add(blockFootprint(bytes, hasDeadline: true), stripe: stripe)
            return UInt64(UInt(bitPattern: block))
        }
        if value.count <= 8 {
            var inline: UInt64 = 0
            if value.count > 0 { withUnsafeMutableBytes(of: &inline) { $0.copyMemory(from: value) } }
            return inline
        }
        let block = ValueBlock.make(copying: value)
        byteCounter.add(ValueBlock.footprint(for: value.count), stripe: stripe)
        return UInt64(UInt(bitPattern: block))
    }

    /// Bytes of leaf entry `i`'s value block, 0 when its value is inline.
    func valueBlockBytes(_ node: BNode, _ i: Int) -> Int {
        let stored = node.storedKey(i)
        return ExpiringValue.blockBytes(valueLength: stored.valueLength, hasDeadline: stored.hasDeadline)
    }

    /// Whether a value block of `bytes` is a `CellPool` cell: only a deadline and a value of
    /// at most 8 bytes are (a block without a deadline always holds more than 8 bytes).
    @inline(__always)
    func isCell(_ bytes: Int, hasDeadline: Bool) -> Bool {
        hasDeadline && ExpiringValue.isCell(bytes)
    }

    /// Heap bytes a value block of `bytes` takes, as the memory counters count it.
    func blockFootprint(_ bytes: Int, hasDeadline: Bool) -> Int {
        isCell(bytes, hasDeadline: hasDeadline) ? CellPool.cellBytes : ValueBlock.footprint(for: bytes)
    }

    /// Heap bytes leaf entry `i`'s value block takes (0: its value is inline).
    func valueBlockFootprint(_ node: BNode, _ i: Int) -> Int {
        let bytes = valueBlockBytes(node, i)
        return bytes == 0 ? 0 : blockFootprint(bytes, hasDeadline: node.storedKey(i).hasDeadline)
    }

    func releaseValue(_ node: BNode, _ i: Int) {
        let bytes = valueBlockBytes(node, i)
        guard bytes > 0 else { return }
        let hasDeadline = node.storedKey(i).hasDeadline
        if isCell(bytes, hasDeadline: hasDeadline) { cells.release(node.valueBlock(i)) } else { node.valueBlock(i).deallocate() }
        byteCounter.add(-blockFootprint(bytes, hasDeadline: hasDeadline), stripe: UInt64(i))
    }

    /// Frees a removed level-0 entry's value and key block. Optimistic readers may still be
    /// comparing the key block (the key's entries on upper levels shared it), so with
    /// optimistic reads it is retired to the reclaimer instead.
    func releaseEntryStorage(_ node: BNode, _ i: Int) {
        releaseValue(node, i)
        guard let block = node.storedKey(i).block else { return }
        if let reclaimer {
            reclaimer.retire(block.raw, bytes: block.footprint, threadHash: EpochReclaimer.currentThreadHash())
        } else {
            byteCounter.add(-block.footprint, stripe: UInt64(i))
            block.deallocate()
        }
    }

    /// Stores `value` with `deadline` (0: none) in leaf entry `i`, held exclusively. `value`
    /// must not point into the entry's own block.
    func replaceValue(_ node: BNode, _ i: Int, _ value: UnsafeRawBufferPointer, deadline: Int64, stripe: UInt64) {
        let stored = node.storedKey(i)
        // Keys without a deadline, before and after, skip the bookkeeping in one test.
        if stored.hasDeadline || deadline != 0 { recordDeadlineChange(node, i, to: deadline, stripe: stripe) }
        let old = ExpiringValue.blockBytes(valueLength: stored.valueLength, hasDeadline: stored.hasDeadline)
        let new = ExpiringValue.blockBytes(valueLength: value.count, hasDeadline: deadline != 0)
        // A block is reused when it is of the same kind (malloc chunk or cell) and room.
        if old > 0, new > 0, blockKind(old, stored.hasDeadline) == blockKind(new, deadline != 0) {
            // Same room, same footprint: the counter does not move.
            let block = node.valueBlock(i)
            if deadline != 0 {
                ExpiringValue.write(value, deadline: deadline, to: block)
            } else {
                block.copyMemory(from: value.baseAddress!, byteCount: value.count)
            }
        } else {
            releaseValue(node, i)
            node.setPayload(i, makeValuePayload(value, deadline: deadline, stripe: stripe))
        }
        node.setStoredKey(i, stored.setting(valueLength: value.count).setting(hasDeadline: deadline != 0))
    }

    /// What a value block of `bytes` is, for deciding whether a new value fits the old block:
    /// a cell (0), else a malloc chunk identified by its room.
    private func blockKind(_ bytes: Int, _ hasDeadline: Bool) -> Int {
        isCell(bytes, hasDeadline: hasDeadline) ? 0 : ValueBlock.room(for: bytes)
    }

    /// Changes leaf entry `i`'s deadline (0: none) and keeps its value; held exclusively.
    func replaceDeadline(_ node: BNode, _ i: Int, _ deadline: Int64, stripe: UInt64) {
        if node.storedKey(i).hasDeadline && deadline != 0 {
            recordDeadlineChange(node, i, to: deadline, stripe: stripe)
            ExpiringValue.setDeadline(deadline, in: node.valueBlock(i))
            return
        }
        // The block's layout changes: copy the value out first, as it lives in the block.
        let value = node.withValue(i) { Array($0) }
        value.withUnsafeBytes { replaceValue(node, i, $0, deadline: deadline, stripe: stripe) }
    }

    func newNode(level: Int, lockedForWrite: Bool) -> BNode {
        byteCounter.add(nodeBytes, stripe: UInt64(level))
        return BNode.allocate(capacity: capacity, level: level, lockedForWrite: lockedForWrite)
    }

    
    /// Disposes of an unlinked, write-locked node.
    func freeNode(_ node: BNode) {
        assertWriteLocked(node)
        if node.level == 0 { forgetDeadlineBound(of: node) }
        if let reclaimer {
            node.unlockExclusive()
            reclaimer.retire(node.raw, bytes: nodeBytes, threadHash: EpochReclaimer.currentThreadHash())
        } else {
            byteCounter.add(-nodeBytes, stripe: UInt64(node.level))
            node.deallocate()
        }
    }

    /// Runs one operation pinned to the reclaimer's epoch when reads are optimistic.
    func pinned<R>(_ body: () -> R) -> R {
        guard let reclaimer else { return body() }
        let pin = reclaimer.pin()
        defer { reclaimer.unpin(pin) }
        return body()
    }
}
