import XCTest
@_spi(IndexInternals) @testable import SkipKVIndex
import SkipKVTestSupport

/// The shared key representation on its own: the inline words and every comparison path
/// against Swift's lexicographic order of byte arrays (memcmp order, a proper prefix first).
final class SearchKeyTests: XCTestCase {
    /// Keys of every length 0...40 over a few fillers, with one byte changed at positions around
    /// both word boundaries, and with zero bytes appended.
    private static let keys: [[UInt8]] = {
        var all: Set<[UInt8]> = []
        for length in 0...40 {
            for filler: UInt8 in [0x00, 0x61, 0xFF] {
                let key = Array(repeating: filler, count: length)
                all.insert(key)
                all.insert(key + [0])
                for position in [0, 7, 8, 15, 16, 17, 24] where position < length {
                    for byte: UInt8 in [0x00, 0x62, 0xFF] {
                        var changed = key
                        changed[position] = byte
                        all.insert(changed)
                    }
                }
            }
        }
        return all.sorted { $0.lexicographicallyPrecedes($1) }
    }()

    private func expectedOrder(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a == b ? 0 : (a.lexicographicallyPrecedes(b) ? -1 : 1)
    }

    func testWordsAreTheFirstSixteenBytesBigEndianZeroPadded() {
        for key in Self.keys {
            let padded = key + Array(repeating: 0, count: max(0, 16 - key.count))
            let high = padded[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = padded[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let words = key.withUnsafeBytes { keyWords($0.baseAddress, $0.count) }
            XCTAssertEqual(words.high, high, "\(key)")
            XCTAssertEqual(words.low, low, "\(key)")
            let back = withInlineKeyBytes(high, low, min(key.count, 16)) { Array($0) }
            XCTAssertEqual(back, Array(key.prefix(16)), "\(key)")
        }
    }

    func testCompareKeysIsMemcmpOrderShorterFirst() {
        let keys = Self.keys
        // Long keys keep their bytes; short ones pass nil, as the structures do.
        for a in keys {
            a.withUnsafeBytes { pa in
                let sa = SearchKey(pa)
                for b in keys {
                    b.withUnsafeBytes { pb in
                        let sb = SearchKey(pb)
                        let bytes = b.count > SearchKey.inlineBytes ? pb.baseAddress : nil
                        let c = compareKeys(sa, sb.high, sb.low, sb.length, bytes)
                        if c != expectedOrder(a, b) { XCTFail("compareKeys(\(a), \(b)) = \(c)") }
                    }
                }
            }
        }
    }

    /// The structures' stored form: lengths in the word for short keys, a block for long ones,
    /// and the order of keys whose words tie decided from it.
    func testStoredKeysHoldTheKeyAndOrderTies() {
        let keys = Self.keys
        let stored = keys.enumerated().map { n, key in key.withUnsafeBytes { StoredKey.make($0, valueLength: n) } }
        defer { for s in stored { s.block?.deallocate() } }
        for (n, (key, s)) in zip(keys, stored).enumerated() {
            XCTAssertEqual(s.block == nil, key.count <= SearchKey.inlineBytes, "\(key)")
            XCTAssertEqual(s.length, key.count, "\(key)")
            XCTAssertEqual(s.valueLength, n, "\(key)")
            XCTAssertEqual(s.withoutValueLength.valueLength, s.block == nil ? 0 : n, "\(key)")
            XCTAssertEqual(s.withoutValueLength.length, key.count, "\(key)")
            XCTAssertEqual(s.footprint, key.count <= SearchKey.inlineBytes ? 0 : MallocChunk.footprint(for: 8 + key.count), "\(key)")
            let words = key.withUnsafeBytes { keyWords($0.baseAddress, $0.count) }
            XCTAssertEqual(s.withBytes(high: words.high, low: words.low) { Array($0) }, key)
            let changed = s.setting(valueLength: 1 << 31)
            XCTAssertEqual(changed.valueLength, 1 << 31, "\(key)")
            XCTAssertEqual(changed.length, key.count, "\(key)")
            XCTAssertEqual(changed.withBytes(high: words.high, low: words.low) { Array($0) }, key)
        }
        for a in keys {
            a.withUnsafeBytes { pa in
                let sa = SearchKey(pa)
                for (b, sb) in zip(keys, stored) {
                    let words = b.withUnsafeBytes { keyWords($0.baseAddress, $0.count) }
                    guard words == (sa.high, sa.low) else { continue }
                    let c = sb.compareTail(sa)
                    if c != expectedOrder(a, b) { XCTFail("compareTail(\(a), \(b)) = \(c)") }
                }
            }
        }
    }

    func testCompareRawBytesHasTheSignOfMemcmp() {
        var random = SeededRandom(seed: 5)
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...40, using: &random)
            let a = (0..<count).map { _ in UInt8.random(in: 0...3, using: &random) }
            var b = a
            if count > 0 && Bool.random(using: &random) {
                b[Int.random(in: 0..<count, using: &random)] = UInt8.random(in: 0...3, using: &random) | 0x80 * UInt8.random(in: 0...1, using: &random)
            }
            let c = a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in compareRawBytes(pa.baseAddress!, pb.baseAddress!, count) } }
            XCTAssertEqual(c, expectedOrder(a, b), "\(a) \(b)")
        }
    }
}
