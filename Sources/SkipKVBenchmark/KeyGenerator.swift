import ArgumentParser

/// Key encodings. Every key is a pure function of its key number, so any thread can recreate any
/// key. Key numbers go through a bijective mixer first: keys are unique, and loading key numbers
/// 0, 1, 2, ... inserts keys in random order (YCSB's "hashed" insert order).
enum KeyType: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// 8-byte big-endian integers.
    case int
    /// 16–32 byte printable strings: 16 hex digits of the mixed key number, then 0–16 letters.
    case string
    /// 16-byte keys as redis-benchmark names them (`key:%012d`): `key:` and 12 decimal
    /// digits, a bijection of the key number within 10^12 (so at most 10^12 keys).
    case redis
}

struct KeyEncoder: Sendable {
    /// Longest key any type produces; key buffers are allocated with this stride.
    static let maxLength = 32

    let type: KeyType

    /// Writes the key for key number `n` at `dst` (room for `maxLength` bytes); returns its length.
    @inline(__always)
    func encode(_ n: UInt64, into dst: UnsafeMutableRawPointer) -> Int {
        switch type {
        case .int:
            dst.storeBytes(of: Self.scramble(n).bigEndian, as: UInt64.self)
            return 8
        case .string:
            return encodeString(n, into: dst)
        case .redis:
            return encodeRedis(n, into: dst)
        }
    }

    /// About 10^12 / golden ratio², odd and not a multiple of 5, so multiplying by it permutes
    /// the residues modulo 10^12: consecutive key numbers land far apart, and loading 0, 1,
    /// 2, ... inserts in scattered order.
    private static let redisMultiplier: UInt64 = 381_966_011_251

    @inline(__always)
    private func encodeRedis(_ n: UInt64, into dst: UnsafeMutableRawPointer) -> Int {
        let modulus: UInt64 = 1_000_000_000_000
        let product = (n % modulus).multipliedFullWidth(by: Self.redisMultiplier)
        var digits = modulus.dividingFullWidth((product.high, product.low)).remainder
        for (i, byte) in "key:".utf8.enumerated() { dst.storeBytes(of: byte, toByteOffset: i, as: UInt8.self) }
        for i in stride(from: 15, through: 4, by: -1) {
            dst.storeBytes(of: 0x30 &+ UInt8(truncatingIfNeeded: digits % 10), toByteOffset: i, as: UInt8.self)
            digits /= 10
        }
        return 16
    }

    @inline(__always)
    private func encodeString(_ n: UInt64, into dst: UnsafeMutableRawPointer) -> Int {
        // The 16 hex digits alone make the key unique (the mixer is a bijection), so no key is a
        // prefix of another and the filler cannot create duplicates.
        var h = Self.scramble(n)
        for i in stride(from: 15, through: 0, by: -1) {
            let d = UInt8(truncatingIfNeeded: h & 0xF)
            dst.storeBytes(of: d < 10 ? 0x30 &+ d : 0x57 &+ d, toByteOffset: i, as: UInt8.self)  // 0-9, a-f
            h >>= 4
        }
        var f = mix64(n ^ 0xD6E8_FEB8_6659_FD93)
        let extra = Int(f % 17)
        for i in 0..<extra {
            if i == 8 { f = mix64(f) }
            let letter = 0x61 &+ UInt8(truncatingIfNeeded: (f >> UInt64(8 * (i & 7))) & 0xFF) % 26  // a-z
            dst.storeBytes(of: letter, toByteOffset: 16 + i, as: UInt8.self)
        }
        return 16 + extra
    }

    /// The bijection from key numbers to key bits (offset so that key number 0 is not key 0).
    @inline(__always)
    static func scramble(_ n: UInt64) -> UInt64 { mix64(n &+ 0x9E37_79B9_7F4A_7C15) }

    /// The key as an array (cold paths only).
    func key(_ n: UInt64) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.maxLength) { buf, count in
            count = encode(n, into: UnsafeMutableRawPointer(buf.baseAddress!))
        }
    }
}
