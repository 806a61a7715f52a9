/// Tower heights derived from a seeded hash of the key bytes (`SeededHash`): deterministic for
/// a key within a process (so a delete can recompute the height an insert chose) but not
/// predictable by a client, who does not know the per-process hash seed.
public struct KeyHeight: Sendable {
    /// Each level is reached with probability 2^-bitsPerLevel.
    public let bitsPerLevel: Int
    /// Highest level a key may reach.
    public let maxHeight: Int
    public let keyHash: SeededHash

    /// `promotionDenominator` is rounded to the nearest power of two; `maxHeight` defaults to the
    /// number of levels that leaves only a handful of keys at the top with a billion keys.
    public init(promotionDenominator: Int, seed: UInt64, maxHeight: Int? = nil) {
        let denominator = max(2, promotionDenominator)
        let floorBits = Int.bitWidth - 1 - denominator.leadingZeroBitCount
        // Round up when the denominator is nearer the next power of two (3/2 of the lower one).
        let bits = denominator >= 3 << (floorBits - 1) ? floorBits + 1 : floorBits
        self.bitsPerLevel = bits
        // ceil(log2(1e9) / bits) levels above 0 leave about one key on the top level.
        self.maxHeight = maxHeight ?? max(1, (30 + bits - 1) / bits)
        keyHash = SeededHash(seed: seed)
    }

    @inlinable
    public func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        keyHash.hash(key)
    }

    /// Height (0 = leaf only) for a key with hash `hash`.
    @inlinable
    public func height(forHash hash: UInt64) -> Int {
        min(maxHeight, hash.trailingZeroBitCount / bitsPerLevel)
    }

    @inlinable
    public func height(_ key: UnsafeRawBufferPointer) -> Int {
        height(forHash: hash(key))
    }
}
