import Foundation

/// SplitMix64: small, fast and fully determined by its seed, so a printed seed replays a test.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The seed of a randomized test: `SKIPKV_TEST_SEED` when set, else a fresh one. Printed either
/// way, so a failing run can be replayed.
func testSeed(_ test: String) -> UInt64 {
    let seed: UInt64
    if let text = ProcessInfo.processInfo.environment["SKIPKV_TEST_SEED"], let value = UInt64(text) {
        seed = value
    } else {
        seed = UInt64.random(in: 0...UInt64.max)
    }
    print("\(test): seed \(seed) (replay with SKIPKV_TEST_SEED=\(seed))")
    return seed
}

/// The bytes of a string, for readable keys.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
