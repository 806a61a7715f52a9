/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every log record,
/// segment header and snapshot block. Castagnoli rather than the zlib polynomial because it
/// has the better Hamming distance at record sizes and is the one CPUs accelerate, should a
/// hardware path replace this table-driven one.
@frozen
public struct CRC32C {
    @usableFromInline var state: UInt32

    /// An empty checksum, ready for `update`.
    @inlinable
    public init() { state = 0xFFFF_FFFF }

    /// Folds `bytes` in; feeding a message in any number of pieces gives the one-shot value.
    @inlinable
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        state = crc32cUpdate(state, base, bytes.count)
    }

    /// The checksum of everything fed so far.
    @inlinable
    public var value: UInt32 { ~state }

    /// The checksum of `bytes` in one call.
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }
}

/// Slicing-by-8 tables, 8 × 256 entries: entry `k * 256 + b` is the CRC contribution of byte `b`
/// followed by `k` zero bytes, which lets one step fold a whole 64-bit word. Built on first use
/// and never freed; a raw pointer keeps table reads free of reference counting.
private nonisolated(unsafe) let crc32cTables: UnsafePointer<UInt32> = {
    let tables = UnsafeMutablePointer<UInt32>.allocate(capacity: 8 * 256)
    for byte in 0..<256 {
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        tables[byte] = crc
    }
    for slice in 1..<8 {
        for byte in 0..<256 {
            let previous = tables[(slice - 1) * 256 + byte]
            tables[slice * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
        }
    }
    return UnsafePointer(tables)
}()

/// The CRC kernel on the raw (pre-inversion) state. Not inlinable on purpose: the loop is
/// compiled once, optimized, here; callers in other modules pay one call per buffer.
@usableFromInline
func crc32cUpdate(_ state: UInt32, _ start: UnsafeRawPointer, _ count: Int) -> UInt32 {
    let t = crc32cTables
    var crc = state
    var p = start
    var remaining = count
    while remaining >= 8 {
        let word = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        let low = UInt32(truncatingIfNeeded: word) ^ crc
        let high = UInt32(truncatingIfNeeded: word &>> 32)
        var folded = t[7 &* 256 &+ Int(low & 0xFF)] ^ t[6 &* 256 &+ Int((low &>> 8) & 0xFF)]
        folded ^= t[5 &* 256 &+ Int((low &>> 16) & 0xFF)] ^ t[4 &* 256 &+ Int(low &>> 24)]
        folded ^= t[3 &* 256 &+ Int(high & 0xFF)] ^ t[2 &* 256 &+ Int((high &>> 8) & 0xFF)]
        folded ^= t[256 &+ Int((high &>> 16) & 0xFF)] ^ t[Int(high &>> 24)]
        crc = folded
        p += 8
        remaining &-= 8
    }
    while remaining > 0 {
        crc = t[Int((crc ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (crc &>> 8)
        p += 1
        remaining &-= 1
    }
    return crc
}
