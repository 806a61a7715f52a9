import SkipKVIndex
import SkipKVKeys

/// One shard's position in a merged range scan: a batch of entries copied out of the shard,
/// refilled by a fresh bounded scan that resumes just past the last key copied.
///
/// Copying is what lets the merge hold no lock while it compares shards and hands entries to
/// the caller; bounding each batch (entries and bytes) is what keeps a scan over a huge range
/// from materializing whole shards. Because every batch is a new scan starting after the last
/// key seen, the cursor inherits the index's scan guarantees across batches: keys in order,
/// each at most once, every key present throughout included.
///
/// Concurrency contract: owned by one thread for the length of one scan.
struct ShardCursor: ~Copyable {
    private struct Entry {
        var keyOffset: Int
        var keyCount: Int
        var valueOffset: Int
        var valueCount: Int
        var deadline: Int64
    }

    /// Entries per batch double on each refill up to this many.
    static let maximumBatchEntries = 1024
    /// The first batch of a scan with no limit.
    static let unlimitedFirstBatch = 16
    /// A batch stops growing once it holds this many bytes (one entry always fits).
    static let batchByteBudget = 256 * 1024

    private let shard: Unmanaged<BSkipList>
    private let reverse: Bool
    private let includeValues: Bool
    /// What is still to be fetched: the resume bound moves past each batch.
    private var remaining: KeyRange
    private var arena: UnsafeMutableRawPointer
    private var arenaCapacity: Int
    private var entries: UnsafeMutablePointer<Entry>
    private var entryCapacity: Int
    private var entryCount = 0
    private var position = 0
    private var nextBatchEntries: Int
    /// True once a scan returned less than it was asked for: nothing is left to fetch.
    private var drained = false

    /// - Parameter firstBatch: entries to fetch first. A merge that needs `w` entries from
    ///   `s` shards expects about `w / s` from each, so asking each for little more than that
    ///   keeps a LIMIT 10 query from copying 10 entries out of every shard; a shard that turns
    ///   out to hold more of the answer refills with doubling batches.
    init(shard: Unmanaged<BSkipList>, range: KeyRange, reverse: Bool, includeValues: Bool, firstBatch: Int) {
        self.shard = shard
        self.remaining = range
        self.reverse = reverse
        self.includeValues = includeValues
        nextBatchEntries = max(1, min(firstBatch, ShardCursor.maximumBatchEntries))
        arenaCapacity = 256
        arena = .allocate(byteCount: arenaCapacity, alignment: 8)
        entryCapacity = nextBatchEntries
        entries = .allocate(capacity: entryCapacity)
    }

    deinit {
        arena.deallocate()
        entries.deallocate()
    }

    /// Whether `key`/`value` are valid: false once the shard has nothing left.
    var hasEntry: Bool { position < entryCount }

    var key: UnsafeRawBufferPointer {
        let entry = entries[position]
        return UnsafeRawBufferPointer(start: arena + entry.keyOffset, count: entry.keyCount)
    }

    var value: UnsafeRawBufferPointer {
        let entry = entries[position]
        return UnsafeRawBufferPointer(start: arena + entry.valueOffset, count: entry.valueCount)
    }

    /// The current entry's expiry deadline (0: none).
    var deadline: Int64 { entries[position].deadline }

    /// Moves to the next entry, fetching a new batch when this one is used up. `wanted` caps
    /// the batch at what the caller can still use (negative: no cap).
    mutating func advance(wanted: Int) {
        position += 1
        if position >= entryCount { refill(wanted: wanted) }
    }

    /// Fetches the next batch, replacing the current one.
    mutating func refill(wanted: Int) {
        entryCount = 0
        position = 0
        guard !drained else { return }
        var limit = nextBatchEntries
        if wanted >= 0 { limit = max(1, min(limit, wanted)) }
        nextBatchEntries = min(nextBatchEntries * 2, ShardCursor.maximumBatchEntries)
        if limit > entryCapacity {
            entries.deallocate()
            entryCapacity = limit
            entries = .allocate(capacity: entryCapacity)
        }
        var used = 0
        var stoppedForBytes = false
        let visited = shard._withUnsafeGuaranteedRef { shard in
            shard.forEachEntry(in: remaining, reverse: reverse, offset: 0, limit: limit) { key, value, deadline in
                let valueCount = includeValues ? value.count : 0
                let needed = used + key.count + valueCount
                if needed > arenaCapacity { growArena(minimum: needed, used: used) }
                if key.count > 0 { (arena + used).copyMemory(from: key.baseAddress!, byteCount: key.count) }
                if valueCount > 0 { (arena + used + key.count).copyMemory(from: value.baseAddress!, byteCount: valueCount) }
                entries[entryCount] = Entry(keyOffset: used, keyCount: key.count, valueOffset: used + key.count,
                                            valueCount: valueCount, deadline: deadline)
                entryCount += 1
                used = needed
                stoppedForBytes = used >= ShardCursor.batchByteBudget
                return !stoppedForBytes
            }
        }
        if visited < limit && !stoppedForBytes {
            drained = true
        } else if entryCount > 0 {
            let last = entries[entryCount - 1]
            let resume = RangeBound.exclusive(Array(UnsafeRawBufferPointer(start: arena + last.keyOffset, count: last.keyCount)))
            if reverse { remaining.upper = resume } else { remaining.lower = resume }
        }
    }

    private mutating func growArena(minimum: Int, used: Int) {
        var capacity = arenaCapacity * 2
        while capacity < minimum { capacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        grown.copyMemory(from: arena, byteCount: used)
        arena.deallocate()
        arena = grown
        arenaCapacity = capacity
    }
}
