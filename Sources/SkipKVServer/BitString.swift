/// Bit-level reads and writes on string values, in Redis's bit order: bit 0 is the most
/// significant bit of byte 0. Counting and searching go a 64-bit word at a time between the
/// partial bytes at either end, so BITCOUNT and BITPOS over a large value cost one load (and
/// one popcount or compare) per 8 bytes.
enum BitString {
    /// The bits of byte `index` from bit `first & 7` on (a mask for the first byte of a range).
    @inline(__always)
    private static func fromBit(_ first: Int) -> UInt8 { UInt8(0xFF >> (first & 7)) }

    /// The bits of a byte up to bit `last & 7` (a mask for the last byte of a range).
    @inline(__always)
    private static func throughBit(_ last: Int) -> UInt8 { UInt8(truncatingIfNeeded: 0xFF << (7 - (last & 7))) }

    /// The number of set bits among bits `first...last` of `value` (both inside it).
    static func countOnes(_ value: UnsafeRawBufferPointer, from first: Int, through last: Int) -> Int {
        guard first <= last else { return 0 }
        let firstByte = first >> 3
        let lastByte = last >> 3
        if firstByte == lastByte { return (value[firstByte] & fromBit(first) & throughBit(last)).nonzeroBitCount }
        var count = (value[firstByte] & fromBit(first)).nonzeroBitCount + (value[lastByte] & throughBit(last)).nonzeroBitCount
        var index = firstByte + 1
        while index + 8 <= lastByte {
            count += value.loadUnaligned(fromByteOffset: index, as: UInt64.self).nonzeroBitCount
            index += 8
        }
        while index < lastByte {
            count += value[index].nonzeroBitCount
            index += 1
        }
        return count
    }

    /// The position of the first bit equal to `bit` (0 or 1) among bits `first...last` of
    /// `value` (both inside it), or nil.
    static func firstBit(_ bit: Int, in value: UnsafeRawBufferPointer, from first: Int, through last: Int) -> Int? {
        guard first <= last else { return nil }
        // XOR turns the wanted bits into ones, so the search is always for a nonzero byte or word.
        let flip: UInt8 = bit == 1 ? 0 : 0xFF
        let flipWord: UInt64 = bit == 1 ? 0 : ~0
        let firstByte = first >> 3
        let lastByte = last >> 3
        var index = firstByte
        while index <= lastByte {
            if index > firstByte && index + 8 <= lastByte {
                let word = UInt64(bigEndian: value.loadUnaligned(fromByteOffset: index, as: UInt64.self)) ^ flipWord
                if word != 0 { return index << 3 + word.leadingZeroBitCount }
                index += 8
                continue
            }
            var byte = value[index] ^ flip
            if index == firstByte { byte &= fromBit(first) }
            if index == lastByte { byte &= throughBit(last) }
            if byte != 0 { return index << 3 + byte.leadingZeroBitCount }
            index += 1
        }
        return nil
    }

    /// All ones in the low `width` bits (1...64).
    @inline(__always)
    static func mask(width: Int) -> UInt64 { width == 64 ? ~0 : (1 << UInt64(width)) - 1 }

    /// The `width`-bit field (1...64) at bit `offset`, as an unsigned number; bits past the
    /// end of `value` read as zero. A field spans at most 9 bytes, gathered into one window.
    static func field(_ value: UnsafeRawBufferPointer, at offset: Int, width: Int) -> UInt64 {
        let byte = offset >> 3
        var window: UInt128 = 0
        for index in byte..<byte + 9 {
            window <<= 8
            if index < value.count { window |= UInt128(value[index]) }
        }
        return UInt64(truncatingIfNeeded: window >> (72 - (offset & 7) - width)) & mask(width: width)
    }

    /// Stores the low `width` bits of `field` at bit `offset`; the value already covers them.
    static func setField(_ value: UnsafeMutableRawBufferPointer, at offset: Int, width: Int, to field: UInt64) {
        let byte = offset >> 3
        let end = min(byte + 9, value.count)
        var window: UInt128 = 0
        for index in byte..<byte + 9 {
            window <<= 8
            if index < end { window |= UInt128(value[index]) }
        }
        let shift = 72 - (offset & 7) - width
        let fieldMask = UInt128(mask(width: width)) << shift
        window = (window & ~fieldMask) | (UInt128(field & mask(width: width)) << shift)
        for index in stride(from: byte + 8, through: byte, by: -1) {
            if index < end { value[index] = UInt8(truncatingIfNeeded: window) }
            window >>= 8
        }
    }

    /// A copy of `current` (nil: an absent key) zero-padded to at least `length` bytes: the
    /// new value of a key that SETBIT or BITFIELD writes.
    static func paddedCopy(_ current: UnsafeRawBufferPointer?, length: Int) -> [UInt8] {
        let existing = current?.count ?? 0
        let total = max(existing, length)
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            if let current, existing > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: current) }
            if total > existing { (buffer.baseAddress! + existing).initialize(repeating: 0, count: total - existing) }
            initialized = total
        }
    }
}
