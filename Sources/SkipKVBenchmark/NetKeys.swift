/// Key names of `skipkv-benchmark net`.
///
/// Keys are `key:` and the key number as 12 zero-padded decimal digits, the names
/// redis-benchmark gives `key:__rand_int__` with `-r`, so both tools touch the same kind of keys.
/// Fixed-width digits make lexical order numeric order: a range scan from a key walks
/// consecutive key numbers. INCR and the exec tests use `counter:` keys so that they never meet a
/// string value.
enum NetKeys {
    static let keyPrefix = "key:"
    static let counterPrefix = "counter:"
    /// A range scan's inclusive start bound, as RANGE and ZRANGEBYLEX spell it.
    static let boundPrefix = "[key:"
    static let digits = 12
    /// Key numbers stay below this, so every key has exactly `digits` digits.
    static let limit: UInt64 = 1_000_000_000_000
    /// The sorted set that indexes the keys on a redis-server target (score 0, member = key),
    /// so that ZRANGEBYLEX can stand in for RANGE.
    static let redisIndex = "skipkv-benchmark:index"
}

/// A reusable buffer holding one key name: the prefix is written once, `set(_:)` rewrites the
/// digits in place, so generating a key allocates nothing.
final class KeyText {
    private let storage: UnsafeMutablePointer<UInt8>
    private let prefixLength: Int

    init(prefix: String) {
        let bytes = Array(prefix.utf8)
        prefixLength = bytes.count
        storage = .allocate(capacity: prefixLength + NetKeys.digits)
        storage.initialize(from: bytes, count: prefixLength)
        storage.advanced(by: prefixLength).initialize(repeating: UInt8(ascii: "0"), count: NetKeys.digits)
    }

    deinit {
        storage.deallocate()
    }

    /// The current key (valid until the next `set`).
    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage, count: prefixLength + NetKeys.digits)
    }

    /// Sets the key number (below `NetKeys.limit`) and returns the key.
    @inline(__always)
    func set(_ number: UInt64) -> UnsafeRawBufferPointer {
        var n = number
        var position = prefixLength + NetKeys.digits - 1
        while position >= prefixLength {
            storage[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n % 10)
            n /= 10
            position -= 1
        }
        return bytes
    }
}
