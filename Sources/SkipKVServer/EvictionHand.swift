/// Where one loop's eviction sampler stands in one shard: the last key it sampled there (a
/// copy), from which the next sampling step continues (`BSkipList.sampleForEviction`).
///
/// Concurrency contract: owned by one `Evictor`, used only on its loop's thread.
struct EvictionHand: ~Copyable {
    private var buffer: UnsafeMutableRawPointer
    private var capacity = 64
    private var length = 0
    /// False until the first sample: the hand then starts at the lowest key.
    private var placed = false

    init() {
        buffer = .allocate(byteCount: capacity, alignment: 8)
    }

    deinit { buffer.deallocate() }

    /// Moves the hand to `key`. The buffer grows to the longest key seen and is reused.
    mutating func move(to key: UnsafeRawBufferPointer) {
        if key.count > capacity {
            buffer.deallocate()
            capacity = max(key.count, 2 * capacity)
            buffer = .allocate(byteCount: capacity, alignment: 8)
        }
        if key.count > 0 { buffer.copyMemory(from: key.baseAddress!, byteCount: key.count) }
        length = key.count
        placed = true
    }

    /// Calls `body` with the hand's key, or nil before the first sample.
    func withPosition<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R {
        body(placed ? UnsafeRawBufferPointer(start: buffer, count: length) : nil)
    }
}
