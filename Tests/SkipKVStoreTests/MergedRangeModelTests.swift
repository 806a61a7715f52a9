import XCTest
@testable import SkipKVStore
import SkipKVKeys
import SkipKVTestSupport

/// The merged range scan against a sorted-array model: every bound kind (unbounded,
/// inclusive, exclusive; on present keys, absent keys and the empty key) on both ends, × REV
/// × LIMIT (none, negative, zero, small, beyond the end, with offsets) × NOVALUES, for several
/// shard counts, including one (the direct path) and more shards than keys.
final class MergedRangeModelTests: XCTestCase {
    override func setUp() {
        continueAfterFailure = false
    }

    private func randomKey(_ random: inout SeededRandom) -> [UInt8] {
        // Few distinct bytes on a couple of prefixes: shared prefixes, keys that are prefixes
        // of others, and keys on both sides of the 8-byte inline prefix.
        let prefixes: [[UInt8]] = [[], bytes("a"), bytes("ab"), bytes("abcdefgh"), [0], [0xFF, 0xFF]]
        let alphabet: [UInt8] = [0, 0x61, 0x62, 0x7A, 0xFF]
        var key = prefixes[Int(random.next() % UInt64(prefixes.count))]
        for _ in 0..<Int(random.next() % 5) { key.append(alphabet[Int(random.next() % UInt64(alphabet.count))]) }
        return key
    }

    private func bounds(_ random: inout SeededRandom, model: SortedModel) -> [RangeBound] {
        var out: [RangeBound] = [.unbounded, .inclusive([]), .exclusive([])]
        for _ in 0..<3 {
            let key: [UInt8]
            if !model.entries.isEmpty && random.next() % 2 == 0 {
                key = model.entries[Int(random.next() % UInt64(model.entries.count))].key
            } else {
                key = randomKey(&random)
            }
            out.append(.inclusive(key))
            out.append(.exclusive(key))
        }
        return out
    }

    func testEveryBoundKindRevLimitNovaluesMatchesTheModel() {
        let seed = testSeed("MergedRangeModelTests.testEveryBoundKindRevLimitNovaluesMatchesTheModel")
        var random = SeededRandom(seed: seed)
        for shards in [1, 3, 16, 200] {
            let keyspace = Keyspace(shards: shards, nodeBytes: 256, seed: random.next())
            var model = SortedModel()
            for _ in 0..<400 {
                let key = randomKey(&random)
                let value = [UInt8](repeating: UInt8(truncatingIfNeeded: random.next()), count: Int(random.next() % 20))
                key.withUnsafeBytes { k in value.withUnsafeBytes { v in _ = keyspace.put(k, v) } }
                model.put(key, value)
            }
            let limits: [(offset: Int, limit: Int)] = [(0, -1), (0, -5), (0, 0), (0, 1), (2, 3), (5, 1000), (0, 50), (1000, 5), (-1, 5)]
            let boundList = bounds(&random, model: model)
            for lower in boundList {
                for upper in boundList {
                    let range = KeyRange(lower: lower, upper: upper)
                    XCTAssertEqual(keyspace.count(in: range), model.range(range, reverse: false, offset: 0, limit: -1).count, "count \(range) shards \(shards)")
                    for reverse in [false, true] {
                        for (offset, limit) in limits {
                            for includeValues in [true, false] {
                                var got: [(key: [UInt8], value: [UInt8])] = []
                                let visited = keyspace.forEach(in: range, reverse: reverse, offset: offset, limit: limit, includeValues: includeValues) { k, v in
                                    got.append((Array(k), Array(v)))
                                    return true
                                }
                                let expected = model.range(range, reverse: reverse, offset: offset, limit: limit)
                                XCTAssertEqual(visited, got.count)
                                XCTAssertEqual(got.map(\.key), expected.map(\.key), "\(range) rev \(reverse) offset \(offset) limit \(limit) shards \(shards)")
                                if includeValues {
                                    XCTAssertEqual(got.map(\.value), expected.map(\.value))
                                }
                            }
                        }
                    }
                }
            }
            // Deleting a random range matches too, and leaves the structure sound.
            let range = KeyRange(lower: boundList[3], upper: boundList[boundList.count - 1])
            XCTAssertEqual(keyspace.removeAll(in: range), model.removeAll(in: range))
            XCTAssertEqual(keyspace.count, model.entries.count)
            XCTAssertNoThrow(try keyspace.checkInvariants())
        }
    }

    /// Stopping early from the body ends the merged scan at once.
    func testBodyCanStopTheScan() {
        let keyspace = Keyspace(shards: 4, nodeBytes: 256, seed: 11)
        for i in 0..<100 { bytes("\(i + 100)").withUnsafeBytes { k in _ = keyspace.put(k, k) } }
        var seen = 0
        let visited = keyspace.forEach(in: .all) { _, _ in
            seen += 1
            return seen < 10
        }
        XCTAssertEqual(visited, 10)
        XCTAssertEqual(seen, 10)
    }
}
