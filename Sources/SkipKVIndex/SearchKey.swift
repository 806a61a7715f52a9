/// The key representation both index structures share: an order-preserving inline prefix of
/// the first 16 bytes, as two big-endian words (`high`: bytes 0..<8, `low`: bytes 8..<16, zero
/// padded), plus the length, with the full bytes out of line only for keys longer than 16
/// bytes. Most comparisons are decided by the two words alone; the bytes past the sixteenth are
/// read only when two keys tie on both words and both are longer than 16 bytes.
///
/// Zero padding cannot confuse a key with the same key followed by zero bytes ("ab" and
/// "ab\0" have equal words): on a tie of the words, a key of at most 16 bytes is a prefix of
/// (or equal to) the other key, so the lengths decide, the shorter first.
@frozen
public struct SearchKey {
    /// Bytes 0..<8 as a big-endian integer, zero padded.
    public let high: UInt64
    /// Bytes 8..<16 as a big-endian integer, zero padded.
    public let low: UInt64
    public let length: Int
    /// The full key bytes; may be nil when `length <= SearchKey.inlineBytes` (the words then
    /// hold every byte).
    public let bytes: UnsafeRawPointer?

    @inlinable
    public init(_ key: UnsafeRawBufferPointer) {
        (self.high, self.low) = keyWords(key.baseAddress, key.count)
        self.length = key.count
        self.bytes = key.baseAddress
    }

    @inlinable
    public init(high: UInt64, low: UInt64, length: Int, bytes: UnsafeRawPointer?) {
        self.high = high
        self.low = low
        self.length = length
        self.bytes = bytes
    }

    /// Bytes of a key held inline, in `high` and `low`; longer keys also keep their full bytes
    /// out of line.
    @inlinable
    public static var inlineBytes: Int { 16 }

    /// The empty key (the smallest of all).
    @inlinable
    public static var empty: SearchKey { SearchKey(high: 0, low: 0, length: 0, bytes: nil) }
}

/// The first 16 bytes of a key as two big-endian integers, zero padded.
@inlinable
public func keyWords(_ bytes: UnsafeRawPointer?, _ count: Int) -> (high: UInt64, low: UInt64) {
    guard let bytes else { return (0, 0) }
    if count >= 16 {
        return (UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }
    if count >= 8 {
        return (UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)), partialWord(bytes + 8, count &- 8))
    }
    return (partialWord(bytes, count), 0)
}

/// `count` (0..<8) bytes as the top bytes of a big-endian integer, zero padded; at most three
/// loads, never past the last byte.
@inlinable
public func partialWord(_ bytes: UnsafeRawPointer, _ count: Int) -> UInt64 {
    var word: UInt64 = 0
    var shift: UInt64 = 56
    var offset = 0
    if count & 4 != 0 {
        word = UInt64(UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self))) << 32
        offset = 4
        shift = 24
    }
    if count & 2 != 0 {
        word |= UInt64(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))) << (shift &- 8)
        offset &+= 2
        shift &-= 16
    }
    if count & 1 != 0 {
        word |= UInt64(bytes.load(fromByteOffset: offset, as: UInt8.self)) << shift
    }
    return word
}

/// Three-way comparison in memcmp order (shorter first on a common prefix): the words first,
/// then `compareKeyTails`.
@inlinable
public func compareKeys(
    _ aHigh: UInt64, _ aLow: UInt64, _ aLength: Int, _ aBytes: UnsafeRawPointer?,
    _ bHigh: UInt64, _ bLow: UInt64, _ bLength: Int, _ bBytes: UnsafeRawPointer?
) -> Int {
    let c = compareWords(aHigh, aLow, bHigh, bLow)
    return c != 0 ? c : compareKeyTails(aLength, aBytes, bLength, bBytes)
}

/// Three-way comparison of the inline words alone (0 when the first 16 bytes, zero padded, tie).
@inlinable
public func compareWords(_ aHigh: UInt64, _ aLow: UInt64, _ bHigh: UInt64, _ bLow: UInt64) -> Int {
    if aHigh != bHigh { return aHigh < bHigh ? -1 : 1 }
    if aLow != bLow { return aLow < bLow ? -1 : 1 }
    return 0
}

@inlinable
public func compareWords(_ a: SearchKey, _ bHigh: UInt64, _ bLow: UInt64) -> Int {
    compareWords(a.high, a.low, bHigh, bLow)
}

@inlinable
public func compareKeys(_ a: SearchKey, _ bHigh: UInt64, _ bLow: UInt64, _ bLength: Int, _ bBytes: UnsafeRawPointer?) -> Int {
    compareKeys(a.high, a.low, a.length, a.bytes, bHigh, bLow, bLength, bBytes)
}

/// The order of two keys whose first 16 bytes (zero padded) are equal: when both are longer
/// than 16 bytes, the bytes after the sixteenth up to the shorter length, then the lengths.
/// `aBytes` and `bBytes` are read only when both lengths exceed 16.
@inlinable
public func compareKeyTails(_ aLength: Int, _ aBytes: UnsafeRawPointer?, _ bLength: Int, _ bBytes: UnsafeRawPointer?) -> Int {
    let inline = SearchKey.inlineBytes
    if aLength > inline && bLength > inline {
        let c = compareRawBytes(aBytes! + inline, bBytes! + inline, min(aLength, bLength) &- inline)
        if c != 0 { return c }
    }
    return compareLengths(aLength, bLength)
}

/// The order of two keys that are equal up to the shorter length: the shorter first.
@inlinable
public func compareLengths(_ aLength: Int, _ bLength: Int) -> Int {
    aLength == bLength ? 0 : (aLength < bLength ? -1 : 1)
}

/// The sign of `memcmp(a, b, count)` without a call: big-endian words, then a byte loop for the
/// last `count % 8` bytes.
@inlinable
public func compareRawBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Int {
    var i = 0
    while i &+ 8 <= count {
        let x = UInt64(bigEndian: a.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        let y = UInt64(bigEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        if x != y { return x < y ? -1 : 1 }
        i &+= 8
    }
    while i < count {
        let x = a.load(fromByteOffset: i, as: UInt8.self)
        let y = b.load(fromByteOffset: i, as: UInt8.self)
        if x != y { return x < y ? -1 : 1 }
        i &+= 1
    }
    return 0
}

/// Calls `body` with the bytes of a key of at most 16 bytes, held only as its words.
@inlinable
public func withInlineKeyBytes<R>(_ high: UInt64, _ low: UInt64, _ length: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { body(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
}
