import Foundation
import XCTest
import SkipKVStore
@testable import SkipKVPersistence
import SkipKVTestSupport

/// `putAllIfAbsent` (MSETNX) from several threads at once: over overlapping keys taken in
/// different orders, it never deadlocks, never lets two batches that share a key both
/// succeed, and stores every pair of a batch that succeeded.
final class MultiKeyWriteTests: XCTestCase {
    func testRacingBatchesAreAllOrNothing() {
        let seed = testSeed("MultiKeyWriteTests.testRacingBatchesAreAllOrNothing")
        let journal = JournaledKeyspace(Keyspace(shards: 4, nodeBytes: 512))
        let keys = (0..<48).map { Array("key\($0)".utf8) }
        for round in 0..<600 {
            let winners = Winners()
            DispatchQueue.concurrentPerform(iterations: 4) { thread in
                var random = SeededRandom(seed: seed &+ UInt64(round * 4 + thread))
                for attempt in 0..<8 {
                    let batch = (0..<6).map { _ in keys[Int(random.next() % UInt64(keys.count))] }
                    let tag = Array("\(thread)-\(attempt)".utf8)
                    var lsn: UInt64 = 0
                    let stored = batch.withUnsafeBufferPointers { keyPointers in
                        tag.withUnsafeBytes { value in
                            journal.putAllIfAbsent(keys: keyPointers, values: Array(repeating: value, count: batch.count), lsn: &lsn)
                        }
                    }
                    if stored { winners.add(batch, tag) }
                }
            }
            var owner: [[UInt8]: [UInt8]] = [:]
            for (batch, tag) in winners.all {
                for key in batch {
                    if let other = owner[key], other != tag {
                        XCTFail("round \(round): batches \(other) and \(tag) both stored \(key)")
                    }
                    owner[key] = tag
                }
            }
            for key in keys {
                let stored = key.withUnsafeBytes { key in journal.keyspace.withValue(forKey: key) { Array($0) } }
                XCTAssertEqual(stored, owner[key], "round \(round)")
            }
            var lsn: UInt64 = 0
            journal.removeAll(lsn: &lsn)
        }
    }
}

private final class Winners: @unchecked Sendable {
    private let lock = NSLock()
    private var batches: [([[UInt8]], [UInt8])] = []

    func add(_ batch: [[UInt8]], _ tag: [UInt8]) { lock.withLock { batches.append((batch, tag)) } }
    var all: [([[UInt8]], [UInt8])] { lock.withLock { batches } }
}

private extension Array where Element == [UInt8] {
    /// Runs `body` with every element's bytes (valid only inside `body`).
    func withUnsafeBufferPointers<R>(_ body: ([UnsafeRawBufferPointer]) -> R) -> R {
        var pointers: [UnsafeRawBufferPointer] = []
        func nest(_ index: Int) -> R {
            guard index < count else { return body(pointers) }
            return self[index].withUnsafeBytes { bytes in
                pointers.append(bytes)
                return nest(index + 1)
            }
        }
        return nest(0)
    }
}
