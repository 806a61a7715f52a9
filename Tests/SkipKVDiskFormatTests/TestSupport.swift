import Foundation
import XCTest

/// xorshift64* generator: deterministic from its seed, so a printed seed replays a failure.
struct ReplayableRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x2545_F491_4F6C_DD1D : seed }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}

/// A generator for the randomized test `name`, seeded from `SKIPKV_TEST_SEED` when it is set;
/// the seed is printed either way.
func replayableRandom(_ name: String) -> ReplayableRandom {
    let seed = ProcessInfo.processInfo.environment["SKIPKV_TEST_SEED"].flatMap { UInt64($0) }
        ?? UInt64.random(in: 1...UInt64.max)
    print("\(name): seed \(seed); replay with SKIPKV_TEST_SEED=\(seed)")
    return ReplayableRandom(seed: seed)
}

/// A fresh directory under the system temporary directory, removed at the end of the test.
func makeScratchDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "skipkv-diskformat-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func readFile(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func fileExists(_ path: String) -> Bool {
    FileManager.default.fileExists(atPath: path)
}

/// The bytes of a string, for readable keys and values.
func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Copies `bytes` with bit `bit` (0 = lowest bit of the first byte) inverted.
func flippingBit(_ bit: Int, of bytes: [UInt8]) -> [UInt8] {
    var copy = bytes
    copy[bit / 8] ^= 1 << UInt8(bit % 8)
    return copy
}

/// Little-endian u32 at `offset`, decoded independently of the module under test.
func u32(_ bytes: [UInt8], _ offset: Int) -> Int {
    (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
}
