/// How both structures store, in one word, the part of a key that `SearchKey`'s words do not
/// hold, together with the length of the key's value (the B-skiplist's; the classic skiplist
/// keeps it 0, its value blocks carry their own length) and the key's access field for the
/// eviction policies (`AccessTracker`):
///  - a key of at most 16 bytes (the words then hold every byte): the odd number
///    `valueLength << 32 | access << 8 | deadline << 6 | length << 1 | 1`, where the length
///    (0...16) takes bits 1...5, the deadline flag bit 6 and the 24-bit access field bits 8...31;
///  - a longer key: the address of its `KeyBlock` (8-byte aligned, so even) in bits 0...47,
///    with the deadline flag in bit 1 (always 0 in an 8-byte aligned address) and a 16-bit
///    access field in bits 48...63.
/// The deadline flag (level 0 only) says the entry's value block starts with the key's
/// expiry deadline (`ExpiringValue`): a key without a time to live pays nothing for the
/// feature, neither memory nor a load on the read path beyond testing the flag. User-space addresses on x86-64 and arm64
///    Linux stay below 2^48 (the kernel maps higher only when asked to with an address hint,
///    which malloc never gives); `KeyBlock.create` checks it. The block holds the key's
///    length, the value length and every byte of the key.
/// One word means an optimistic reader gets the length and the block together in one load, and
/// a scan reads the value length where it reads the key: in the word, or in the key block it
/// reads anyway. The access field costs no memory: it lives in bits the word had spare (a
/// longer key's word has no room for 24: its block's two 32-bit lengths and a 48-bit address
/// leave 16, hence the narrower field, see `AccessStamp`). Only level-0 entries carry it.
@_spi(IndexInternals) public struct StoredKey {
    public let word: UInt64

    @inlinable public init(word: UInt64) { self.word = word }

    /// Copies `key` into a new key block when it is longer than 16 bytes; the access field is 0.
    public static func make(_ key: UnsafeRawBufferPointer, valueLength: Int) -> StoredKey {
        if key.count <= SearchKey.inlineBytes { return inline(length: key.count, valueLength: valueLength) }
        return StoredKey(word: UInt64(UInt(bitPattern: KeyBlock.create(key, valueLength: valueLength).raw)))
    }

    /// The empty key with no value (a head node's sentinel).
    static var empty: StoredKey { inline(length: 0, valueLength: 0) }

    private static func inline(length: Int, valueLength: Int) -> StoredKey {
        StoredKey(word: UInt64(UInt32(valueLength)) << 32 | UInt64(length) << 1 | 1)
    }

    static let inlineAccessWidth = 24
    static let blockAccessWidth = 16
    /// Bits 3...47: the flag bits below an 8-byte aligned address are masked off.
    @usableFromInline static let addressMask: UInt64 = (1 << 48) - 8
    private static let inlineAccessMask: UInt64 = 0xFF_FFFF << 8
    private static let inlineDeadlineBit: UInt64 = 1 << 6
    private static let blockDeadlineBit: UInt64 = 1 << 1

    @usableFromInline var isInline: Bool { word & 1 != 0 }

    /// The key block of a key longer than 16 bytes; nil for shorter keys.
    @inlinable public var block: KeyBlock? {
        isInline ? nil : KeyBlock(raw: UnsafeMutableRawPointer(bitPattern: UInt(word & Self.addressMask))!)
    }

    /// Reads the key block for keys longer than 16 bytes.
    @inlinable public var length: Int { block?.length ?? inlineLength }

    /// The length of a key of at most 16 bytes.
    @usableFromInline var inlineLength: Int { Int(truncatingIfNeeded: word >> 1 & 0x1F) }

    /// Whether the entry's value block starts with an expiry deadline (level 0 only).
    @inlinable public var hasDeadline: Bool { word & (isInline ? 1 << 6 : 1 << 1) != 0 }

    /// The word with the deadline flag set or cleared; the caller changes the value block's
    /// layout under the same exclusive lock.
    func setting(hasDeadline: Bool) -> StoredKey {
        let bit = isInline ? Self.inlineDeadlineBit : Self.blockDeadlineBit
        return StoredKey(word: hasDeadline ? word | bit : word & ~bit)
    }

    /// Reads the key block for keys longer than 16 bytes.
    var valueLength: Int { block?.valueLength ?? Int(truncatingIfNeeded: word >> 32) }

    /// The word for `valueLength`; a longer key's block is updated in place (only the holder of
    /// the entry's leaf lock reads or writes it there). The access field is kept.
    func setting(valueLength: Int) -> StoredKey {
        guard let block else { return StoredKey(word: word & 0xFFFF_FFFF | UInt64(UInt32(valueLength)) << 32) }
        block.valueLength = valueLength
        return self
    }

    /// The word with neither value length, access field nor deadline flag, for entries above
    /// level 0; a longer key's block, shared with the key's entry on level 0, is left alone.
    var withoutValueLength: StoredKey { StoredKey(word: isInline ? word & 0x3F : word & Self.addressMask) }

    /// Bits in this key's access field: 24 for a key of at most 16 bytes, else 16.
    var accessWidth: Int { isInline ? Self.inlineAccessWidth : Self.blockAccessWidth }

    /// The access field (`AccessStamp` interprets it).
    var access: UInt32 {
        UInt32(truncatingIfNeeded: isInline ? (word & Self.inlineAccessMask) >> 8 : word >> 48)
    }

    /// The word with access field `access` (which must fit `accessWidth` bits).
    func setting(access: UInt32) -> StoredKey {
        if isInline { return StoredKey(word: word & ~Self.inlineAccessMask | UInt64(access) << 8) }
        return StoredKey(word: word & (Self.addressMask | Self.blockDeadlineBit) | UInt64(access) << 48)
    }

    /// The order of `key` and this key when their words tie: lengths and out-of-line bytes only,
    /// reading the key block only when both keys are longer than 16 bytes.
    @inlinable public func compareTail(_ key: SearchKey) -> Int {
        guard let block else { return compareLengths(key.length, inlineLength) }
        if key.length <= SearchKey.inlineBytes { return -1 }
        return compareKeyTails(key.length, key.bytes, block.length, UnsafeRawPointer(block.bytes))
    }

    /// Calls `body` with the key's bytes, given its words.
    @inlinable public func withBytes<R>(high: UInt64, low: UInt64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let block { return body(UnsafeRawBufferPointer(start: block.bytes, count: block.length)) }
        return withInlineKeyBytes(high, low, inlineLength, body)
    }

    /// Heap bytes allocated for the key besides its words: the key block's, if any.
    @inlinable public var footprint: Int { block?.footprint ?? 0 }
}

/// The out-of-line copy of a key longer than 16 bytes: key length UInt32, value length UInt32
/// (the only mutable field), then every byte of the key.
@_spi(IndexInternals) public struct KeyBlock {
    public let raw: UnsafeMutableRawPointer

    @inlinable public init(raw: UnsafeMutableRawPointer) { self.raw = raw }

    static func create(_ key: UnsafeRawBufferPointer, valueLength: Int) -> KeyBlock {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 8 + key.count, alignment: 8)
        // The stored word keeps the access field above bit 47 (see `StoredKey`).
        precondition(UInt(bitPattern: raw) >> 48 == 0, "key block allocated above 2^48")
        raw.storeBytes(of: UInt32(key.count), as: UInt32.self)
        raw.storeBytes(of: UInt32(valueLength), toByteOffset: 4, as: UInt32.self)
        (raw + 8).copyMemory(from: key.baseAddress!, byteCount: key.count)
        return KeyBlock(raw: raw)
    }

    @inlinable public var length: Int { Int(raw.load(as: UInt32.self)) }
    var valueLength: Int {
        get { Int(raw.load(fromByteOffset: 4, as: UInt32.self)) }
        nonmutating set { raw.storeBytes(of: UInt32(newValue), toByteOffset: 4, as: UInt32.self) }
    }
    @inlinable public var bytes: UnsafeMutableRawPointer { raw + 8 }
    /// Heap bytes the block takes.
    @inlinable public var footprint: Int { MallocChunk.footprint(for: 8 + length) }

    public func deallocate() { raw.deallocate() }
}
