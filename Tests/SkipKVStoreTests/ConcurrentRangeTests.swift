import XCTest
@testable import SkipKVStore
import SkipKVKeys
import SkipKVTestSupport

/// Merged scans racing writers on other threads: every scan must come back in strict key
/// order, contain every key that was present throughout, and contain nothing that never
/// existed.
final class ConcurrentRangeTests: XCTestCase {
    func testMergedScansUnderConcurrentWriters() {
        let keyspace = Keyspace(shards: 8, nodeBytes: 256, seed: 99)
        // Even keys are stable; writers churn odd keys.
        for i in stride(from: 0, to: 4000, by: 2) {
            bytes(String(format: "k%05d", i)).withUnsafeBytes { k in _ = keyspace.put(k, k) }
        }
        let stop = ManagedFlag()
        let writers = DispatchGroup()
        for w in 0..<2 {
            DispatchQueue.global().async(group: writers) {
                var random = SeededRandom(seed: UInt64(w))
                while !stop.isSet {
                    let i = Int(random.next() % 2000) * 2 + 1
                    bytes(String(format: "k%05d", i)).withUnsafeBytes { k in
                        if random.next() % 2 == 0 { _ = keyspace.put(k, k) } else { _ = keyspace.remove(k) }
                    }
                }
            }
        }
        for round in 0..<30 {
            var previous: [UInt8]? = nil
            var stableSeen = 0
            let reverse = round % 2 == 1
            keyspace.forEach(in: .all, reverse: reverse) { key, value in
                let k = Array(key)
                XCTAssertEqual(k, Array(value))
                if let previous {
                    XCTAssertEqual(compareBytes(previous, k), reverse ? 1 : -1, "out of order")
                }
                previous = k
                if Int(String(decoding: k.dropFirst(), as: UTF8.self))! % 2 == 0 { stableSeen += 1 }
                return true
            }
            XCTAssertEqual(stableSeen, 2000)
        }
        stop.set()
        writers.wait()
    }
}

/// A flag one thread sets and others poll.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
