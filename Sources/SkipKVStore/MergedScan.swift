import SkipKVKeys

/// A k-way merge of per-shard `ShardCursor`s into one stream in global key order (descending
/// when `reverse`), with offset and limit applied to the merged stream.
///
/// A binary heap of shard indices, ordered by each cursor's current key, picks the next
/// entry in O(log shards). Keys are unique across shards (each key has one home shard), so
/// no tie-breaking is needed.
///
/// Concurrency contract: owned by one thread for the length of one scan; the shards it reads
/// are shared and thread-safe.
struct MergedScan: ~Copyable {
    private let cursors: UnsafeMutablePointer<ShardCursor>
    private let cursorCount: Int
    private let heap: UnsafeMutablePointer<Int>
    private var heapCount = 0
    private let reverse: Bool

    init(_ keyspace: Keyspace, range: KeyRange, reverse: Bool, includeValues: Bool, expected: Int) {
        cursorCount = keyspace.shardCount
        self.reverse = reverse
        cursors = .allocate(capacity: cursorCount)
        heap = .allocate(capacity: cursorCount)
        let firstBatch = expected < 0 ? ShardCursor.unlimitedFirstBatch : (expected + cursorCount - 1) / cursorCount + 1
        for index in 0..<cursorCount {
            (cursors + index).initialize(to: ShardCursor(
                shard: keyspace.shards[index], range: range, reverse: reverse, includeValues: includeValues, firstBatch: firstBatch
            ))
            cursors[index].refill(wanted: expected)
            if cursors[index].hasEntry { push(index) }
        }
    }

    deinit {
        cursors.deinitialize(count: cursorCount)
        cursors.deallocate()
        heap.deallocate()
    }

    /// Visits merged entries, skipping the first `offset` and stopping after `limit` visits
    /// (negative: no limit) or when `body` returns false. Returns the number of visits.
    mutating func run(
        offset: Int, limit: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, Int64) -> Bool
    ) -> Int {
        var toSkip = offset
        var seen = 0
        while heapCount > 0 && seen != limit {
            let top = heap[0]
            if toSkip > 0 {
                toSkip -= 1
            } else {
                seen += 1
                if !body(cursors[top].key, cursors[top].value, cursors[top].deadline) { break }
            }
            // What this shard can still contribute: the rest of the skip plus the rest of the limit.
            let wanted = limit < 0 ? -1 : toSkip + limit - seen
            cursors[top].advance(wanted: wanted)
            if cursors[top].hasEntry { siftDown(0) } else { popTop() }
        }
        return seen
    }

    // MARK: Heap

    /// Whether shard `a`'s current key comes before shard `b`'s in scan order.
    private func precedes(_ a: Int, _ b: Int) -> Bool {
        let c = compareBytes(cursors[a].key, cursors[b].key)
        return reverse ? c > 0 : c < 0
    }

    private mutating func push(_ index: Int) {
        var child = heapCount
        heap[child] = index
        heapCount += 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTop() {
        heapCount -= 1
        if heapCount > 0 {
            heap[0] = heap[heapCount]
            siftDown(0)
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heapCount else { return }
            var best = left
            if left + 1 < heapCount && precedes(heap[left + 1], heap[left]) { best = left + 1 }
            guard precedes(heap[best], heap[parent]) else { return }
            heap.swapAt(best, parent)
            parent = best
        }
    }
}

extension UnsafeMutablePointer where Pointee == Int {
    fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}
