import SkipKVIndex
import SkipKVKeys
import XCTest
@testable import SkipKVStore
import SkipKVTestSupport

/// Point operations and the basic range calls of the sharded keyspace.
final class KeyspaceTests: XCTestCase {
    func testPointOperationsRouteToOneShard() throws {
        let keyspace = Keyspace(shards: 8, nodeBytes: 512, seed: 42)
        for i in 0..<2000 {
            let key = bytes("key:\(i)")
            key.withUnsafeBytes { k in bytes("v\(i)").withUnsafeBytes { v in _ = keyspace.put(k, v) } }
        }
        XCTAssertEqual(keyspace.count, 2000)
        try keyspace.checkInvariants()
        // Every shard got a share: the hash spreads keys.
        for index in 0..<keyspace.shardCount {
            XCTAssertGreaterThan(keyspace.withShard(at: index) { $0.count }, 150)
        }
        let value = bytes("key:17").withUnsafeBytes { k in keyspace.withValue(forKey: k) { Array($0) } }
        XCTAssertEqual(value, bytes("v17"))
        XCTAssertTrue(bytes("key:17").withUnsafeBytes { keyspace.remove($0) })
        XCTAssertFalse(bytes("key:17").withUnsafeBytes { keyspace.contains($0) })
        XCTAssertEqual(keyspace.count, 1999)
    }

    func testPutConditionsAndUpdate() {
        let keyspace = Keyspace(shards: 4, nodeBytes: 512, seed: 1)
        bytes("k").withUnsafeBytes { k in
            XCTAssertEqual(bytes("a").withUnsafeBytes { keyspace.put(k, $0, condition: .ifPresent) }, .skipped)
            XCTAssertEqual(bytes("a").withUnsafeBytes { keyspace.put(k, $0, condition: .ifAbsent) }, .inserted)
            XCTAssertEqual(bytes("b").withUnsafeBytes { keyspace.put(k, $0, condition: .ifAbsent) }, .skipped)
            XCTAssertEqual(bytes("c").withUnsafeBytes { keyspace.put(k, $0, condition: .ifPresent) }, .replaced)
            let old = keyspace.update(k) { current -> (UpdateAction, [UInt8]?) in
                (.store(bytes("d")), current.map { Array($0) })
            }
            XCTAssertEqual(old, bytes("c"))
            XCTAssertEqual(keyspace.withValue(forKey: k) { Array($0) }, bytes("d"))
            keyspace.update(k) { _ in (UpdateAction.remove, ()) }
            XCTAssertFalse(keyspace.contains(k))
        }
    }

    func testEmptyKeyAndBinaryKeys() {
        let keyspace = Keyspace(shards: 3, nodeBytes: 512, seed: 7)
        let keys: [[UInt8]] = [[], [0], [0, 0], [0xFF], [0x0D, 0x0A], [0x61, 0, 0x62]]
        for key in keys { key.withUnsafeBytes { k in key.withUnsafeBytes { v in _ = keyspace.put(k, v) } } }
        var seen: [[UInt8]] = []
        keyspace.forEach(in: .all) { key, value in
            XCTAssertEqual(Array(key), Array(value))
            seen.append(Array(key))
            return true
        }
        XCTAssertEqual(seen, keys.sorted { compareBytes($0, $1) < 0 })
    }

    func testCountAndRemoveAllInRange() throws {
        let keyspace = Keyspace(shards: 5, nodeBytes: 512, seed: 3)
        for i in 0..<3000 {
            let key = bytes(String(format: "%05d", i))
            key.withUnsafeBytes { k in _ = keyspace.put(k, k) }
        }
        let range = KeyRange(lower: .inclusive(bytes("01000")), upper: .exclusive(bytes("02000")))
        XCTAssertEqual(keyspace.count(in: range), 1000)
        XCTAssertEqual(keyspace.removeAll(in: range), 1000)
        XCTAssertEqual(keyspace.count(in: range), 0)
        XCTAssertEqual(keyspace.count, 2000)
        XCTAssertEqual(keyspace.removeAll(in: KeyRange(lower: .inclusive(bytes("9")), upper: .inclusive(bytes("1")))), 0)
        XCTAssertEqual(keyspace.removeAll(), 2000)
        XCTAssertEqual(keyspace.count, 0)
        try keyspace.checkInvariants()
    }

    /// A scan over a large range with a small limit must not copy whole shards: the first
    /// batch per shard is capped by what the caller can use.
    func testLimitedScanStopsEarly() {
        let keyspace = Keyspace(shards: 4, nodeBytes: 512, seed: 9)
        for i in 0..<20000 {
            let key = bytes(String(format: "k%06d", i))
            key.withUnsafeBytes { k in _ = keyspace.put(k, k) }
        }
        var keys: [String] = []
        let visited = keyspace.forEach(in: .all, reverse: true, offset: 3, limit: 2) { key, _ in
            keys.append(String(decoding: key, as: UTF8.self))
            return true
        }
        XCTAssertEqual(visited, 2)
        XCTAssertEqual(keys, ["k019996", "k019995"])
    }

    /// Values large enough to exceed one batch's byte budget still come through whole.
    func testLargeValuesCrossBatches() {
        let keyspace = Keyspace(shards: 2, nodeBytes: 512, seed: 5)
        let big = [UInt8](repeating: 0x5A, count: 300 * 1024)
        for i in 0..<6 {
            bytes("big\(i)").withUnsafeBytes { k in big.withUnsafeBytes { v in _ = keyspace.put(k, v) } }
        }
        var count = 0
        keyspace.forEach(in: .all) { key, value in
            XCTAssertEqual(Array(key), bytes("big\(count)"))
            XCTAssertEqual(value.count, big.count)
            count += 1
            return true
        }
        XCTAssertEqual(count, 6)
    }
}
