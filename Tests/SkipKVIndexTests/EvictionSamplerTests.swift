import Foundation
import XCTest
@testable import SkipKVIndex
import SkipKVTestSupport

/// The eviction sampler (a CLOCK hand over level 0 moving by random gaps) and MEMORY USAGE's
/// per-key bytes.
final class EvictionSamplerTests: XCTestCase {
    private func filled(_ count: Int, nodeBytes: Int = 256) -> (BSkipList, [[UInt8]]) {
        let index = BSkipList(nodeBytes: nodeBytes)
        let keys = (0..<count).map { bytes(String(format: "key:%06d", $0)) }
        for key in keys.shuffled() { index.put(key, key) }
        return (index, keys)
    }

    /// Runs the sampler like an evictor: each call continues after the last key it returned.
    private func sweep(_ index: BSkipList, calls: Int, count: Int, maximumGap: Int) -> [[UInt8]] {
        var hand: [UInt8]? = nil
        var seen: [[UInt8]] = []
        for _ in 0..<calls {
            let taken = hand.withOptionalBytes { position in
                index.sampleForEviction(after: position, count: count, maximumGap: maximumGap) { key, _ in seen.append(Array(key)) }
            }
            if taken > 0 { hand = seen.last }
        }
        return seen
    }

    func testWithoutGapsTheHandVisitsEveryKeyOncePerLapInOrder() {
        let (index, keys) = filled(1000)
        let seen = sweep(index, calls: 250, count: 5, maximumGap: 0)
        XCTAssertEqual(seen.count, 1250)
        XCTAssertEqual(Array(seen.prefix(1000)), keys, "one lap is every key in order")
        XCTAssertEqual(Array(seen.suffix(250)), Array(keys.prefix(250)), "then it wraps to the lowest key")
    }

    func testGapsSpreadSamplesEvenlyOverLaps() {
        let (index, keys) = filled(2000)
        let seen = sweep(index, calls: 8000, count: 5, maximumGap: 15)
        var hits: [[UInt8]: Int] = [:]
        for key in seen { hits[key, default: 0] += 1 }
        XCTAssertEqual(hits.count, keys.count, "every key is sampled")
        // 40,000 samples over 2,000 keys: 20 each on average; a hand favouring some region
        // (a descent would favour keys under sparse nodes) would skew the deciles.
        let perDecile = stride(from: 0, to: 2000, by: 200).map { start in keys[start..<start + 200].reduce(0) { $0 + hits[$1, default: 0] } }
        for total in perDecile { XCTAssertEqual(Double(total), 4000, accuracy: 400, "samples per decile of the key order: \(perDecile)") }
        XCTAssertTrue(zip(seen, seen.dropFirst()).filter { $0 == $1 }.isEmpty, "no key twice in a row")
    }

    func testSamplingAnEmptyOrTinyIndex() {
        let index = BSkipList()
        XCTAssertEqual(index.sampleForEviction(after: nil, count: 5, maximumGap: 15) { _, _ in XCTFail("nothing to sample") }, 0)
        index.put(bytes("only"), bytes("v"))
        var seen: [[UInt8]] = []
        XCTAssertEqual(bytes("zzz").withUnsafeBytes { hand in index.sampleForEviction(after: hand, count: 3, maximumGap: 0) { key, _ in seen.append(Array(key)) } }, 1)
        XCTAssertEqual(seen, [bytes("only")], "past the last key it wraps once, then stops")
        seen = []
        XCTAssertEqual(index.sampleForEviction(after: nil, count: 3, maximumGap: 0) { key, _ in seen.append(Array(key)) }, 2)
        XCTAssertEqual(seen, [bytes("only"), bytes("only")], "from the start: the key, the wrap, the key again")
    }

    /// The sampler holds read locks while writers split, merge and free nodes around it.
    func testSamplingRacesWritersSafely() throws {
        let seed = testSeed("EvictionSamplerTests.testSamplingRacesWritersSafely")
        let tracker = AccessTracker()
        tracker.configure(.recency, logFactor: 10, decayMinutes: 1)
        let index = BSkipList(nodeBytes: 256, access: tracker)
        let stop = Flag()
        let writers = (0..<2).map { thread in
            Thread {
                var random = SeededRandom(seed: seed &+ UInt64(thread))
                while !stop.isSet {
                    let key = bytes("k\(Int.random(in: 0..<3000, using: &random))")
                    if Bool.random(using: &random) { index.put(key, key) } else { index.remove(key) }
                    _ = index.get(key)
                }
            }
        }
        for writer in writers { writer.start() }
        var hand: [UInt8]? = nil
        for _ in 0..<20_000 {
            var last: [UInt8]? = nil
            hand.withOptionalBytes { position in
                _ = index.sampleForEviction(after: position, count: 5, maximumGap: 7) { key, _ in last = Array(key) }
            }
            hand = last
        }
        stop.set()
        while writers.contains(where: { !$0.isFinished }) { usleep(1000) }
        try index.checkInvariants()
    }

    func testMemoryUsageCountsEntryKeyAndValue() throws {
        let (index, _) = filled(5000, nodeBytes: 4096)
        XCTAssertNil(index.memoryUsage(bytes("absent")))
        let key = bytes("key:002500")
        // Its entry's share of the node and tower, plus the 10-byte value's block.
        let entry = try XCTUnwrap(index.memoryUsage(key)) - ValueBlock.footprint(for: 10)
        XCTAssertGreaterThanOrEqual(entry, 32, "at least its entry")
        XCTAssertLessThanOrEqual(entry, 4096 / 16 + 6 * 32, "a share of a node that is at least a quarter full")
        index.put(key, Array(repeating: 1, count: 8))
        XCTAssertEqual(index.memoryUsage(key), entry, "8 bytes are held inline")
        index.put(key, Array(repeating: 1, count: 100))
        XCTAssertEqual(index.memoryUsage(key), entry + ValueBlock.footprint(for: 100))
        index.put(key, Array(repeating: 1, count: 10_000))
        XCTAssertEqual(index.memoryUsage(key), entry + ValueBlock.footprint(for: 10_000))
        let long = bytes("a key well beyond the sixteen inline bytes")
        index.put(long, bytes("v"))
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(index.memoryUsage(long)), 32 + MallocChunk.footprint(for: 8 + long.count))
    }
}

private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

extension Optional where Wrapped == [UInt8] {
    fileprivate func withOptionalBytes<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard let self else { return body(nil) }
        return self.withUnsafeBytes { body($0) }
    }
}

// Array conveniences for the eviction-side calls, as `OrderedKeyValueIndex` has for the rest.
extension BSkipList {
    func memoryUsage(_ key: [UInt8]) -> Int? { key.withUnsafeBytes { memoryUsage(ofKey: $0) } }
    func contains(_ key: [UInt8]) -> Bool { key.withUnsafeBytes { contains($0) } }
}
