import Foundation

/// SplitMix64: small, fast and fully determined by its seed, so a printed seed replays a test.
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The seed of a randomized test: `SKIPKV_TEST_SEED` when set, else a fresh one. Printed either
/// way, so a failing run can be replayed.
public func testSeed(_ test: String) -> UInt64 {
    let seed = ProcessInfo.processInfo.environment["SKIPKV_TEST_SEED"].flatMap(UInt64.init)
        ?? UInt64.random(in: 1...UInt64.max)
    print("\(test): seed \(seed) (replay with SKIPKV_TEST_SEED=\(seed))")
    return seed
}

/// The bytes of a string, for readable keys.
public func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
