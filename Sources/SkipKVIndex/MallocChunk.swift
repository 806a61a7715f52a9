/// What glibc's malloc really spends on a request, so that the bytes an index reports follow
/// the heap rather than the lengths it asked for: chunks grow in 16-byte steps, carry an
/// 8-byte header, and are at least 32 bytes (24 usable). A 9-byte value takes 32 bytes of
/// heap, which is what `maxmemory` has to count (a limit set on requested lengths would let
/// small values overshoot it by up to 3.5 times).
@usableFromInline enum MallocChunk {
    /// Usable bytes malloc hands out for a request of `bytes`.
    @inlinable @inline(__always)
    static func usableBytes(for bytes: Int) -> Int {
        max(24, ((bytes &+ 8 &+ 15) & ~15) &- 8)
    }

    /// Heap bytes a request of `bytes` takes: its usable bytes plus the chunk header.
    @inlinable @inline(__always)
    static func footprint(for bytes: Int) -> Int {
        usableBytes(for: bytes) &+ 8
    }
}
