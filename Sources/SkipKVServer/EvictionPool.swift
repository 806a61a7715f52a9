/// Redis's eviction pool: the best eviction candidates seen so far, kept across eviction
/// rounds so that a round whose samples are all poor candidates still evicts a good one.
/// Up to 16 keys ordered by score, ascending (the best candidate last); a sample enters
/// when the pool has room or when it beats the worst entry, which it then displaces.
///
/// Each entry owns a key buffer that grows to the longest key it has held and is then
/// reused, so filling the pool allocates only when a longer key than ever before arrives.
/// Entries may name keys deleted since (ghosts): whoever takes one checks it still exists.
///
/// Concurrency contract: owned by one `Evictor`, used only on its loop's thread.
struct EvictionPool: ~Copyable {
    private struct Entry {
        var score: UInt64 = 0
        var length = 0
        var buffer: UnsafeMutableRawPointer
        var capacity: Int
    }

    static let size = 16
    private let entries: UnsafeMutablePointer<Entry>
    /// Entries 0..<count hold candidates.
    private(set) var count = 0

    init() {
        entries = .allocate(capacity: Self.size)
        for i in 0..<Self.size {
            (entries + i).initialize(to: Entry(buffer: .allocate(byteCount: 64, alignment: 8), capacity: 64))
        }
    }

    deinit {
        for i in 0..<Self.size { entries[i].buffer.deallocate() }
        entries.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    /// Offers a sampled key with its score (higher is a better candidate).
    mutating func offer(_ key: UnsafeRawBufferPointer, score: UInt64) {
        // The first entry with a higher score: the new one goes just before it.
        var k = 0
        while k < count && entries[k].score < score { k += 1 }
        if k == 0 && count == Self.size { return }  // worse than everything in a full pool
        if count < Self.size {
            // Shift k..<count right; the free entry's buffer moves to k.
            let free = entries[count]
            (entries + k + 1).update(from: entries + k, count: count - k)
            entries[k] = free
            count += 1
        } else {
            // Full: drop the worst (entry 0), shifting 1..<k left; its buffer moves to k - 1.
            k -= 1
            let dropped = entries[0]
            entries.update(from: entries + 1, count: k)
            entries[k] = dropped
        }
        store(key, score: score, at: k)
    }

    private func store(_ key: UnsafeRawBufferPointer, score: UInt64, at k: Int) {
        if key.count > entries[k].capacity {
            entries[k].buffer.deallocate()
            entries[k].capacity = max(key.count, 2 * entries[k].capacity)
            entries[k].buffer = .allocate(byteCount: entries[k].capacity, alignment: 8)
        }
        if key.count > 0 { entries[k].buffer.copyMemory(from: key.baseAddress!, byteCount: key.count) }
        entries[k].length = key.count
        entries[k].score = score
    }

    /// Calls `body` with the best candidate and removes it; false when the pool is empty.
    /// The bytes are valid only during `body`.
    mutating func takeBest(_ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard count > 0 else { return false }
        count -= 1
        body(UnsafeRawBufferPointer(start: entries[count].buffer, count: entries[count].length))
        return true
    }

    /// The scores held, worst first (for tests and MEMORY-style diagnostics).
    var scores: [UInt64] { (0..<count).map { entries[$0].score } }
}
