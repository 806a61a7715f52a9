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
