#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The key representation both index structures share: an order-preserving inline prefix
/// (the first 8 bytes big-endian, zero padded) plus the length, with the full bytes out of
/// line. Most comparisons are decided by the prefix alone; the bytes are read only when two
/// prefixes tie and both keys are longer than 8 bytes.
@frozen
public struct SearchKey {
    public let prefix: UInt64
    public let length: Int
    /// The full key bytes; may be nil when `length <= 8` (the prefix then holds every byte).
    public let bytes: UnsafeRawPointer?

    @inlinable
    public init(_ key: UnsafeRawBufferPointer) {
        self.prefix = keyPrefix(key.baseAddress, key.count)
        self.length = key.count
        self.bytes = key.baseAddress
    }

    @inlinable
    public init(prefix: UInt64, length: Int, bytes: UnsafeRawPointer?) {
        self.prefix = prefix
        self.length = length
        self.bytes = bytes
    }
}

/// The first 8 bytes of a key as a big-endian integer, zero padded.
@inlinable
public func keyPrefix(_ bytes: UnsafeRawPointer?, _ count: Int) -> UInt64 {
    guard let bytes else { return 0 }
    if count >= 8 {
        return UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
    }
    var p: UInt64 = 0
    for i in 0..<count {
        p |= UInt64(bytes.load(fromByteOffset: i, as: UInt8.self)) << (56 - 8 * UInt64(i))
    }
    return p
}

/// Three-way comparison in memcmp order (shorter first on a common prefix).
@inlinable
public func compareKeys(
    _ aPrefix: UInt64, _ aLength: Int, _ aBytes: UnsafeRawPointer?,
    _ bPrefix: UInt64, _ bLength: Int, _ bBytes: UnsafeRawPointer?
) -> Int {
    if aPrefix != bPrefix { return aPrefix < bPrefix ? -1 : 1 }
    // Equal prefixes: a key of at most 8 bytes is then a prefix of (or equal to) the other.
    if aLength > 8 && bLength > 8 {
        let n = min(aLength, bLength) - 8
        let c = memcmp(aBytes! + 8, bBytes! + 8, n)
        if c != 0 { return c < 0 ? -1 : 1 }
    }
    return aLength == bLength ? 0 : (aLength < bLength ? -1 : 1)
}

@inlinable
public func compareKeys(_ a: SearchKey, _ bPrefix: UInt64, _ bLength: Int, _ bBytes: UnsafeRawPointer?) -> Int {
    compareKeys(a.prefix, a.length, a.bytes, bPrefix, bLength, bBytes)
}

/// Writes the bytes of a key of at most 8 bytes, held only as its prefix, into `buffer`.
@inlinable
public func withPrefixBytes<R>(_ prefix: UInt64, _ length: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    withUnsafeBytes(of: prefix.bigEndian) { body(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
}
