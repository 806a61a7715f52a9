import XCTest
@testable import SkipKVStore
import SkipKVKeys
import SkipKVTestSupport

/// SCAN cursors: encoding round trips, complete iteration in key order, and the fallback
/// when a parked long key has been overwritten.
final class ScanCursorTests: XCTestCase {
    func testShortKeysPackIntoTheCursor() {
        let table = ScanCursorTable()
        for key in [[], [0], bytes("abc"), bytes("abcdefg"), [0xFF, 0, 0xFF]] as [[UInt8]] {
            let cursor = key.withUnsafeBytes { table.cursor(after: $0) }
            XCTAssertNotEqual(cursor, 0)
            XCTAssertEqual(cursor >> 63, 0)
            XCTAssertEqual(table.position(of: cursor), .after(key))
        }
        XCTAssertEqual(table.position(of: 0), .start)
        XCTAssertEqual(table.position(of: 12345), .start)
    }

    func testLongKeysParkAndFallBackToTheirPrefix() {
        let table = ScanCursorTable()
        let key = bytes("user:000123:profile")
        let cursor = key.withUnsafeBytes { table.cursor(after: $0) }
        XCTAssertEqual(cursor >> 63, 1)
        XCTAssertEqual(table.position(of: cursor), .after(key))
        // Overwrite every slot: the cursor now resumes from the key's first three bytes.
        for i in 0..<ScanCursorTable.capacity {
            bytes("other-long-key-\(i)").withUnsafeBytes { _ = table.cursor(after: $0) }
        }
        XCTAssertEqual(table.position(of: cursor), .from(bytes("use")))
    }

    func testScanVisitsEveryKeyOnceInOrder() {
        let keyspace = Keyspace(shards: 6, nodeBytes: 256, seed: 21)
        var expected: [[UInt8]] = []
        for i in 0..<1500 {
            // Short keys (packed cursors) and long ones (parked cursors).
            let key = i % 2 == 0 ? bytes("\(i)") : bytes("a-rather-long-key-\(i)")
            key.withUnsafeBytes { k in _ = keyspace.put(k, k) }
            expected.append(key)
        }
        expected.sort { compareBytes($0, $1) < 0 }
        for count in [1, 7, 100, 5000] {
            var cursor: UInt64 = 0
            var seen: [[UInt8]] = []
            var steps = 0
            repeat {
                cursor = keyspace.scan(cursor: cursor, count: count) { seen.append(Array($0)) }
                steps += 1
            } while cursor != 0 && steps < 10000
            XCTAssertEqual(seen, expected, "count \(count)")
        }
    }

    /// Keys present throughout the iteration are returned even while others are added and
    /// removed between steps.
    func testScanIsCompleteUnderConcurrentChanges() {
        let keyspace = Keyspace(shards: 4, nodeBytes: 256, seed: 5)
        var stable = Set<[UInt8]>()
        for i in 0..<1000 {
            let key = bytes("stable-\(i)")
            stable.insert(key)
            key.withUnsafeBytes { k in _ = keyspace.put(k, k) }
        }
        var cursor: UInt64 = 0
        var seen = Set<[UInt8]>()
        var step = 0
        repeat {
            cursor = keyspace.scan(cursor: cursor, count: 13) { seen.insert(Array($0)) }
            for j in 0..<5 {
                bytes("churn-\(step)-\(j)").withUnsafeBytes { k in _ = keyspace.put(k, k) }
                bytes("churn-\(step - 1)-\(j)").withUnsafeBytes { _ = keyspace.remove($0) }
            }
            step += 1
        } while cursor != 0
        XCTAssertTrue(stable.isSubset(of: seen))
    }

    func testScanWithinARange() {
        let keyspace = Keyspace(shards: 3, nodeBytes: 256, seed: 8)
        for key in ["a1", "b1", "b2", "b3", "c1"] { bytes(key).withUnsafeBytes { k in _ = keyspace.put(k, k) } }
        var seen: [String] = []
        var cursor: UInt64 = 0
        let range = KeyRange(lower: .inclusive(bytes("b")), upper: .exclusive(bytes("c")))
        repeat {
            cursor = keyspace.scan(cursor: cursor, count: 1, within: range) { seen.append(String(decoding: $0, as: UTF8.self)) }
        } while cursor != 0
        XCTAssertEqual(seen, ["b1", "b2", "b3"])
    }
}
