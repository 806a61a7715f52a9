/// Per-thread pseudo-random numbers for the benchmark: xoshiro256** seeded through SplitMix64.
/// Not cryptographic; fast, small, and reproducible from a seed.
struct BenchmarkRandom {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    init(seed: UInt64) {
        var sm = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            return mix64(x)
        }
        s0 = splitMix(&sm)
        s1 = splitMix(&sm)
        s2 = splitMix(&sm)
        s3 = splitMix(&sm)
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    /// A stream seed for one (run seed, stream id) pair, e.g. one thread of one workload.
    static func streamSeed(_ seed: UInt64, _ ids: UInt64...) -> UInt64 {
        var h = mix64(seed ^ 0x5851_F42D_4C95_7F2D)
        for id in ids { h = mix64(h ^ mix64(id &+ 0x2545_F491_4F6C_DD1D)) }
        return h
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = (s1 &* 5).rotatedLeft(7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3.rotatedLeft(45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [0, bound) by multiply-high (bias below 2^-64 × bound, irrelevant here).
    @inline(__always)
    mutating func next(below bound: UInt64) -> UInt64 {
        next().multipliedFullWidth(by: bound).high
    }
}

extension UInt64 {
    @inline(__always)
    func rotatedLeft(_ k: UInt64) -> UInt64 { (self << k) | (self >> (64 &- k)) }
}

/// A bijective 64-bit mixer (the SplitMix64 finalizer): distinct inputs give distinct outputs,
/// neighbouring inputs give unrelated outputs.
@inline(__always)
func mix64(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Probability `p` as a threshold on a uniform UInt64: `rng.next() < threshold` with probability p.
func probabilityThreshold(_ p: Double) -> UInt64 {
    if p <= 0 { return 0 }
    if p >= 1 { return .max }
    return UInt64(p * 0x1.0p64)
}
