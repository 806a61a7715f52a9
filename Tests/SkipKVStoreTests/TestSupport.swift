import Foundation
import SkipKVIndex

/// SplitMix64, so a printed seed replays a randomized test.
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

/// `SKIPKV_TEST_SEED` when set, else a fresh seed; printed so a failure can be replayed.
func testSeed(_ test: String) -> UInt64 {
    let seed = ProcessInfo.processInfo.environment["SKIPKV_TEST_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64.max)
    print("\(test): seed \(seed) (replay with SKIPKV_TEST_SEED=\(seed))")
    return seed
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The sorted-array model the keyspace is checked against.
struct SortedModel {
    private(set) var entries: [(key: [UInt8], value: [UInt8])] = []

    private func search(_ key: [UInt8]) -> (found: Bool, index: Int) {
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            let c = compareBytes(entries[mid].key, key)
            if c == 0 { return (true, mid) }
            if c < 0 { low = mid + 1 } else { high = mid }
        }
        return (false, low)
    }

    mutating func put(_ key: [UInt8], _ value: [UInt8]) {
        let (found, index) = search(key)
        if found { entries[index].value = value } else { entries.insert((key, value), at: index) }
    }

    mutating func remove(_ key: [UInt8]) -> Bool {
        let (found, index) = search(key)
        if found { entries.remove(at: index) }
        return found
    }

    func get(_ key: [UInt8]) -> [UInt8]? {
        let (found, index) = search(key)
        return found ? entries[index].value : nil
    }

    /// What RANGE returns: the entries of `range` in order (reversed when `reverse`), then
    /// offset and limit.
    func range(_ range: KeyRange, reverse: Bool, offset: Int, limit: Int) -> [(key: [UInt8], value: [UInt8])] {
        var selected = entries.filter { range.contains($0.key) }
        if reverse { selected.reverse() }
        guard offset >= 0, offset < selected.count else { return [] }
        let rest = selected[offset...]
        return Array(limit < 0 ? rest : rest.prefix(limit))
    }

    mutating func removeAll(in range: KeyRange) -> Int {
        let before = entries.count
        entries.removeAll { range.contains($0.key) }
        return before - entries.count
    }
}
