/// Unaligned little-endian field access. Every multi-byte field of the log and snapshot formats
/// is little-endian and packed without padding, so fields sit at arbitrary offsets.
@usableFromInline
enum LittleEndian {
    @inlinable
    static func store32(_ value: UInt32, _ to: UnsafeMutableRawPointer) {
        to.storeBytes(of: value.littleEndian, as: UInt32.self)
    }

    @inlinable
    static func store64(_ value: UInt64, _ to: UnsafeMutableRawPointer) {
        to.storeBytes(of: value.littleEndian, as: UInt64.self)
    }

    @inlinable
    static func load32(_ from: UnsafeRawPointer) -> UInt32 {
        UInt32(littleEndian: from.loadUnaligned(as: UInt32.self))
    }

    @inlinable
    static func load64(_ from: UnsafeRawPointer) -> UInt64 {
        UInt64(littleEndian: from.loadUnaligned(as: UInt64.self))
    }
}
