import SkipKVIndex
import SkipKVKeys
import XCTest
import SkipKVTestSupport

/// Deterministic checks of every operation on edge-case keys and values, run against every
/// structure in `indexesUnderTest`.
final class IndexUnitTests: XCTestCase {
    private func forEachIndex(_ body: (String, any OrderedKeyValueIndex) throws -> Void) rethrows {
        for (name, make) in indexesUnderTest { try body(name, make()) }
    }

    private func keys(of index: any OrderedKeyValueIndex, reverse: Bool = false) -> [[UInt8]] {
        index.entries(reverse: reverse).map(\.key)
    }

    func testEmptyIndex() throws {
        try forEachIndex { name, index in
            XCTAssertEqual(index.count, 0, name)
            XCTAssertNil(index.get([]), name)
            XCTAssertNil(index.get(bytes("a")), name)
            XCTAssertFalse(index.remove(bytes("a")), name)
            XCTAssertTrue(index.entries().isEmpty, name)
            XCTAssertTrue(index.entries(reverse: true).isEmpty, name)
            XCTAssertEqual(index.count(in: .all), 0, name)
            XCTAssertEqual(index.removeAll(in: .all), 0, name)
            try index.checkInvariants()
        }
    }

    func testEmptyKeyIsAnOrdinaryKeyOrderedFirst() throws {
        try forEachIndex { name, index in
            XCTAssertEqual(index.put([0], bytes("zero")), .inserted, name)
            XCTAssertEqual(index.put([], bytes("empty")), .inserted, name)
            XCTAssertEqual(index.put([], bytes("again")), .replaced, name)
            XCTAssertEqual(index.get([]), bytes("again"), name)
            XCTAssertEqual(keys(of: index), [[], [0]], name)
            XCTAssertEqual(keys(of: index, reverse: true), [[0], []], name)
            XCTAssertEqual(index.count(in: KeyRange(lower: .inclusive([]), upper: .inclusive([]))), 1, name)
            XCTAssertEqual(index.count(in: KeyRange(lower: .exclusive([]))), 1, name)
            try index.checkInvariants()
            XCTAssertTrue(index.remove([]), name)
            XCTAssertNil(index.get([]), name)
            XCTAssertEqual(keys(of: index), [[0]], name)
            try index.checkInvariants()
        }
    }

    func testZeroAndFFBytesOrderAsUnsignedBytes() throws {
        let all: [[UInt8]] = [
            [], [0], [0, 0], [0, 0, 0], [0, 0xFF], [0x7F], [0x80], [0xFF], [0xFF, 0], [0xFF, 0xFF],
            Array(repeating: 0, count: 8), Array(repeating: 0, count: 9), Array(repeating: 0, count: 17),
            Array(repeating: 0xFF, count: 8), Array(repeating: 0xFF, count: 9), Array(repeating: 0xFF, count: 16),
            Array(repeating: 0, count: 8) + [0xFF], Array(repeating: 0xFF, count: 8) + [0],
        ]
        let sorted = all.sorted { $0.lexicographicallyPrecedes($1) }
        var random = SeededRandom(seed: 1)
        try forEachIndex { name, index in
            for key in all.shuffled(using: &random) {
                XCTAssertEqual(index.put(key, key + [1]), .inserted, name)
            }
            try index.checkInvariants()
            XCTAssertEqual(keys(of: index), sorted, name)
            XCTAssertEqual(keys(of: index, reverse: true), sorted.reversed(), name)
            for key in all { XCTAssertEqual(index.get(key), key + [1], "\(name) \(key)") }
            XCTAssertNil(index.get([0, 0, 0, 0]), name)
            XCTAssertNil(index.get(Array(repeating: 0xFF, count: 10)), name)
        }
    }

    func testKeysSharingPrefixesOrderByMemcmpShorterFirst() throws {
        // Every length 0...40 of three fillers, plus keys that differ from a long shared prefix
        // at one position: before, at and after each of the two 8-byte inline words.
        var all: Set<[UInt8]> = []
        for length in 0...40 {
            for filler: UInt8 in [0x00, 0x61, 0xFF] { all.insert(Array(repeating: filler, count: length)) }
            for position in [0, 3, 7, 8, 9, 15, 16, 17, 24, 31] where position < length {
                var key = Array(repeating: UInt8(0x61), count: length)
                key[position] = 0x62
                all.insert(key)
                key[position] = 0x60
                all.insert(key)
            }
        }
        let sorted = all.sorted { $0.lexicographicallyPrecedes($1) }
        var random = SeededRandom(seed: 2)
        try forEachIndex { name, index in
            for key in sorted.shuffled(using: &random) {
                XCTAssertEqual(index.put(key, [UInt8(key.count)]), .inserted, name)
            }
            try index.checkInvariants()
            XCTAssertEqual(index.count, sorted.count, name)
            XCTAssertEqual(keys(of: index), sorted, name)
            XCTAssertEqual(keys(of: index, reverse: true), sorted.reversed(), name)
            for key in sorted { XCTAssertEqual(index.get(key), [UInt8(key.count)], "\(name) \(key)") }
            // Range bounds that are proper prefixes of stored keys.
            let prefix = Array(repeating: UInt8(0x61), count: 9)
            let expected = sorted.filter { !$0.lexicographicallyPrecedes(prefix) && $0.starts(with: prefix) }
            let found = index.entries(in: KeyRange(lower: .inclusive(prefix), upper: .exclusive(prefix + [0x62]))).map(\.key)
            XCTAssertEqual(found, expected.filter { $0.lexicographicallyPrecedes(prefix + [0x62]) }, name)
            for key in sorted.shuffled(using: &random) { XCTAssertTrue(index.remove(key), name) }
            XCTAssertEqual(index.count, 0, name)
            try index.checkInvariants()
        }
    }

    func testLongKeysAndValues() throws {
        let mebibyte = 1 << 20
        let longKey = (0..<mebibyte).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var sibling = longKey
        sibling[mebibyte - 1] &+= 1
        let longValue = (0..<mebibyte).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try forEachIndex { name, index in
            let empty = index.bytesInUse
            XCTAssertEqual(index.put(longKey, longValue), .inserted, name)
            XCTAssertEqual(index.put(sibling, []), .inserted, name)
            XCTAssertEqual(index.put(Array(longKey.prefix(mebibyte - 1)), [1]), .inserted, name)
            XCTAssertGreaterThanOrEqual(index.bytesInUse, empty + 3 * mebibyte, name)
            XCTAssertEqual(index.get(longKey), longValue, name)
            XCTAssertEqual(index.get(sibling), [], name)
            XCTAssertEqual(longKey.withUnsafeBytes { key in index.withValue(forKey: key) { $0.count } }, mebibyte, name)
            XCTAssertEqual(keys(of: index).map(\.count), [mebibyte - 1, mebibyte, mebibyte], name)
            XCTAssertEqual(keys(of: index).last, sibling, name)
            XCTAssertEqual(index.put(longKey, bytes("short")), .replaced, name)
            XCTAssertEqual(index.get(longKey), bytes("short"), name)
            try index.checkInvariants()
            XCTAssertEqual(index.removeAll(in: KeyRange(lower: .inclusive(longKey))), 2, name)
            XCTAssertTrue(index.remove(Array(longKey.prefix(mebibyte - 1))), name)
            try index.checkInvariants()
            XCTAssertEqual(index.bytesInUse, empty, name)
        }
    }

    func testPutConditions() throws {
        try forEachIndex { name, index in
            let key = bytes("key")
            XCTAssertEqual(index.put(key, bytes("a"), condition: .ifPresent), .skipped, name)
            XCTAssertNil(index.get(key), name)
            XCTAssertEqual(index.put(key, bytes("b"), condition: .ifAbsent), .inserted, name)
            XCTAssertEqual(index.put(key, bytes("c"), condition: .ifAbsent), .skipped, name)
            XCTAssertEqual(index.get(key), bytes("b"), name)
            XCTAssertEqual(index.put(key, bytes("d"), condition: .ifPresent), .replaced, name)
            XCTAssertEqual(index.get(key), bytes("d"), name)
            XCTAssertEqual(index.put(key, [], condition: .always), .replaced, name)
            XCTAssertEqual(index.get(key), [], "\(name): an empty value is a value")
            XCTAssertTrue(index.remove(key), name)
            XCTAssertEqual(index.put(key, bytes("e"), condition: .always), .inserted, name)
            XCTAssertEqual(index.count, 1, name)
            try index.checkInvariants()
        }
    }

    func testUpdateReadsModifiesAndRemoves() throws {
        try forEachIndex { name, index in
            let key = bytes("counter")
            // Increment-like: absent counts as 0.
            for expected in 1...5 {
                let old = index.update(key) { current -> (UpdateAction, Int) in
                    let value = current.map { Int(String(decoding: $0, as: UTF8.self))! } ?? 0
                    return (.store(bytes(String(value + 1))), value)
                }
                XCTAssertEqual(old, expected - 1, name)
            }
            XCTAssertEqual(index.get(key), bytes("5"), name)
            XCTAssertEqual(index.update(key) { (.keep, $0.map(Array.init)) }, bytes("5"), name)
            XCTAssertEqual(index.get(key), bytes("5"), name)
            XCTAssertEqual(index.update(key) { (.remove, $0 != nil) }, true, name)
            XCTAssertNil(index.get(key), name)
            XCTAssertEqual(index.count, 0, name)
            // On an absent key, keep and remove leave it absent.
            XCTAssertEqual(index.update(key) { (.keep, $0 == nil) }, true, name)
            XCTAssertEqual(index.update(key) { (.remove, $0 == nil) }, true, name)
            XCTAssertNil(index.get(key), name)
            XCTAssertEqual(index.count, 0, name)
            try index.checkInvariants()
        }
    }

    func testForEachOffsetLimitAndEarlyStop() {
        forEachIndex { name, index in
            for i in 0..<10 { index.put([UInt8(i)], [UInt8(100 + i)]) }
            let range = KeyRange(lower: .inclusive([2]), upper: .exclusive([8]))
            XCTAssertEqual(index.entries(in: range).map(\.key), (2..<8).map { [UInt8($0)] }, name)
            XCTAssertEqual(index.entries(in: range, reverse: true, offset: 1, limit: 2).map(\.key), [[6], [5]], name)
            XCTAssertEqual(index.entries(in: range, offset: 6).count, 0, name)
            XCTAssertEqual(index.entries(in: range, offset: 100).count, 0, name)
            XCTAssertEqual(index.entries(in: range, limit: 0).count, 0, name)
            XCTAssertEqual(index.entries(in: range, limit: -5).count, 6, name)
            var visited: [[UInt8]] = []
            let seen = index.forEach(in: .all, reverse: false, offset: 0, limit: -1) { key, value in
                visited.append(Array(key))
                XCTAssertEqual(Array(value), [100 + key[0]], name)
                return visited.count < 3
            }
            XCTAssertEqual(seen, 3, "\(name): the entry whose body returned false counts")
            XCTAssertEqual(visited, [[0], [1], [2]], name)
            let backwards = KeyRange(lower: .inclusive([8]), upper: .inclusive([2]))
            XCTAssertEqual(index.entries(in: backwards).count, 0, name)
            XCTAssertEqual(index.count(in: backwards), 0, name)
            XCTAssertEqual(index.removeAll(in: backwards), 0, name)
            XCTAssertEqual(index.count, 10, name)
        }
    }

    func testRemoveAllInRanges() throws {
        try forEachIndex { name, index in
            for i in 0..<1000 { index.put(withUnsafeBytes(of: UInt16(i).bigEndian, Array.init), [1]) }
            let middle = KeyRange(lower: .exclusive([0x01, 0x00]), upper: .inclusive([0x02, 0x00]))
            XCTAssertEqual(index.removeAll(in: middle), 256, name)
            XCTAssertEqual(index.count, 744, name)
            XCTAssertNil(index.get([0x01, 0x01]), name)
            XCTAssertNotNil(index.get([0x01, 0x00]), name)
            XCTAssertNotNil(index.get([0x02, 0x01]), name)
            try index.checkInvariants()
            XCTAssertEqual(index.removeAll(in: .all), 744, name)
            XCTAssertEqual(index.count, 0, name)
            try index.checkInvariants()
        }
    }

    func testCountAndBytesInUseFollowTheContents() throws {
        var random = SeededRandom(seed: 3)
        let keys = Set((0..<3000).map { _ in (0..<Int.random(in: 1...24, using: &random)).map { _ in UInt8.random(in: 0...3, using: &random) } })
        try forEachIndex { name, index in
            let empty = index.bytesInUse
            for key in keys { index.put(key, Array(repeating: 1, count: 10)) }
            XCTAssertEqual(index.count, keys.count, name)
            XCTAssertEqual(index.count(in: .all), keys.count, name)
            let filled = index.bytesInUse
            XCTAssertGreaterThan(filled, empty + keys.count * 10, name)
            for key in keys { index.put(key, Array(repeating: 2, count: 100)) }
            // Value blocks count as the malloc chunks they take: 32 bytes for 10, 112 for 100
            // (the classic skiplist counts 8 + length).
            XCTAssertGreaterThanOrEqual(index.bytesInUse, filled + keys.count * 80, "\(name): bigger values take more")
            for key in keys { index.put(key, Array(repeating: 3, count: 10)) }
            XCTAssertEqual(index.bytesInUse, filled, "\(name): replaced values are freed")
            try index.checkInvariants()
            // Reclamation may be deferred until the index is known to be quiescent, which
            // `checkInvariants` may assume; so the footprint is compared after it.
            for key in keys.shuffled(using: &random) { XCTAssertTrue(index.remove(key), name) }
            XCTAssertEqual(index.count, 0, name)
            try index.checkInvariants()
            XCTAssertEqual(index.bytesInUse, empty, "\(name): removing everything frees everything")
            for key in keys { index.put(key, [4]) }
            XCTAssertEqual(index.removeAll(in: .all), keys.count, name)
            try index.checkInvariants()
            XCTAssertEqual(index.bytesInUse, empty, "\(name): so does removeAll")
        }
    }

    /// Overwrites that cross the inline limit (8 bytes) and the B-skiplist's in-place reuse of
    /// a value block (same allocation room) must each leave exactly the new bytes, and
    /// `bytesInUse` must follow the value lengths (`checkInvariants` recounts it).
    func testOverwritesAcrossValueLengthsKeepTheNewBytes() throws {
        let lengths = [0, 8, 9, 16, 17, 24, 25, 40, 23, 9, 100, 97, 9, 0, 33, 8, 30]
        try forEachIndex { name, index in
            for neighbour in 0..<20 { index.put([UInt8(neighbour)], Array(repeating: 9, count: 12)) }
            for (step, length) in lengths.enumerated() {
                let value = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ step) }
                index.put([7, 7], value)
                XCTAssertEqual(index.get([7, 7]), value, "\(name): step \(step), \(length) bytes")
                try index.checkInvariants()
            }
            XCTAssertTrue(index.remove([7, 7]), name)
            try index.checkInvariants()
            for neighbour in 0..<20 { XCTAssertEqual(index.get([UInt8(neighbour)]), Array(repeating: 9, count: 12), name) }
        }
    }
}
