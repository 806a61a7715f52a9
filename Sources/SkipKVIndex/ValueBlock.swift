/// The out-of-line bytes of a value longer than 8 bytes. A block is allocated with the room
/// glibc's malloc would give the value's length anyway (`MallocChunk`), so a block's room
/// follows from the length of the value it holds at no extra memory, and an overwrite whose
/// new value needs the same room copies into the old block instead of freeing it and
/// allocating another (a SET over an existing key spent about 6% of its cycles in `malloc`
/// and `free`).
///
/// Readers see value bytes only while holding the leaf's lock, shared, and a value is written
/// only under the leaf's exclusive lock, so reusing a block in place is as safe as freeing it.
enum ValueBlock {
    static func make(copying value: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer {
        let block = UnsafeMutableRawPointer.allocate(byteCount: room(for: value.count), alignment: 8)
        block.copyMemory(from: value.baseAddress!, byteCount: value.count)
        return block
    }

    /// Bytes a block holding a value of `length` bytes has.
    static func room(for length: Int) -> Int {
        MallocChunk.usableBytes(for: length)
    }

    /// Heap bytes a block holding a value of `length` bytes takes, as the index counts them.
    static func footprint(for length: Int) -> Int {
        MallocChunk.footprint(for: length)
    }
}

/// The value block of a key with an expiry deadline: the deadline (Unix milliseconds, Int64)
/// then the value's bytes, whatever the value's length. Keeping the deadline beside the value
/// puts it in the cache line a read of the key loads anyway, and costs keys without a
/// deadline nothing: only their `StoredKey` flag says which layout a block has.
enum ExpiringValue {
    static let headerBytes = 8

    /// Whether a block of `bytes` (deadline and value) is a `CellPool` cell rather than a
    /// malloc chunk.
    static func isCell(_ bytes: Int) -> Bool { bytes <= CellPool.cellBytes }

    /// Writes the deadline and the value into a block with room for both.
    static func write(_ value: UnsafeRawBufferPointer, deadline: Int64, to block: UnsafeMutableRawPointer) {
        block.storeBytes(of: deadline, as: Int64.self)
        if value.count > 0 { bytes(block).copyMemory(from: value.baseAddress!, byteCount: value.count) }
    }

    static func deadline(_ block: UnsafeRawPointer) -> Int64 { block.load(as: Int64.self) }
    static func setDeadline(_ deadline: Int64, in block: UnsafeMutableRawPointer) {
        block.storeBytes(of: deadline, as: Int64.self)
    }
    static func bytes(_ block: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer { block + headerBytes }

    /// Bytes a value of `length` takes in its block (0: stored inline in the entry).
    static func blockBytes(valueLength length: Int, hasDeadline: Bool) -> Int {
        hasDeadline ? headerBytes + length : (length > 8 ? length : 0)
    }
}
