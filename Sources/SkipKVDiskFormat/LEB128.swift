/// Unsigned LEB128 varints, the length prefixes of snapshot entries: most keys and values are
/// short, and a one-byte prefix instead of a fixed u32 keeps small-entry snapshots compact.
enum LEB128 {
    /// The longest encoding of a 64-bit value.
    static let maxBytes = 10

    /// Bytes `write` uses for `value` (non-negative).
    static func size(_ value: Int) -> Int {
        var size = 1
        var rest = UInt64(value) >> 7
        while rest != 0 {
            size += 1
            rest >>= 7
        }
        return size
    }

    /// Writes `value` (non-negative) at `to` and returns the number of bytes written.
    static func write(_ value: Int, to: UnsafeMutableRawPointer) -> Int {
        var rest = UInt64(value)
        var count = 0
        while rest >= 0x80 {
            to.storeBytes(of: UInt8(truncatingIfNeeded: rest) | 0x80, toByteOffset: count, as: UInt8.self)
            rest >>= 7
            count += 1
        }
        to.storeBytes(of: UInt8(rest), toByteOffset: count, as: UInt8.self)
        return count + 1
    }

    /// Reads the varint at `cursor` and moves past it; nil when it runs off the end of `bytes`
    /// or does not fit in an `Int`.
    static func read(_ bytes: UnsafeRawBufferPointer, at cursor: inout Int) -> Int? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while cursor < bytes.count {
            let byte = UInt64(bytes[cursor])
            cursor += 1
            guard shift < 63 || byte <= 1 else { return nil }
            value |= (byte & 0x7F) << shift
            if byte < 0x80 { return Int(exactly: value) }
            shift += 7
        }
        return nil
    }
}
