import XCTest
@_spi(IndexInternals) @testable import SkipKVIndex
import SkipKVTestSupport

/// The per-key access fields: where they live in the `StoredKey` word (without disturbing
/// anything else it holds), the LRU clock and LFU counter arithmetic, and how the B-skiplist
/// updates them.
final class AccessFieldTests: XCTestCase {
    private static let keys: [[UInt8]] = (0...40).map { length in (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 5) } }

    func testAccessFieldLeavesTheRestOfTheWordAlone() {
        for (n, key) in Self.keys.enumerated() {
            let stored = key.withUnsafeBytes { StoredKey.make($0, valueLength: n * 1000) }
            defer { stored.block?.deallocate() }
            let width = stored.accessWidth
            XCTAssertEqual(width, key.count <= 16 ? 24 : 16)
            XCTAssertEqual(stored.access, 0)
            let words = key.withUnsafeBytes { keyWords($0.baseAddress, $0.count) }
            for field in [UInt32(1), UInt32(1) << (width - 1), UInt32((1 << width) - 1), 0x5A5A5A & UInt32((1 << width) - 1)] {
                let touched = stored.setting(access: field)
                XCTAssertEqual(touched.access, field, "\(key.count)")
                XCTAssertEqual(touched.length, key.count)
                XCTAssertEqual(touched.valueLength, n * 1000)
                XCTAssertEqual(touched.block?.raw, stored.block?.raw)
                XCTAssertEqual(touched.withBytes(high: words.high, low: words.low) { Array($0) }, key)
                let resized = touched.setting(valueLength: 7)
                XCTAssertEqual(resized.access, field, "a new value keeps the access field")
                XCTAssertEqual(resized.valueLength, 7)
                XCTAssertEqual(resized.length, key.count)
                XCTAssertEqual(touched.withoutValueLength.access, 0, "upper levels carry no access field")
                XCTAssertEqual(touched.withoutValueLength.length, key.count)
                stored.block?.valueLength = n * 1000
            }
        }
    }

    func testRecencyClockIsMonotonicAndExactWhileYoung() {
        var random = SeededRandom(seed: testSeed("AccessFieldTests.recency"))
        for width in [24, 16] {
            let mantissaBits = width - AccessStamp.exponentBits
            for ms in UInt64(0)..<(1 << UInt64(mantissaBits)) where ms % 97 == 0 || ms < 64 {
                XCTAssertEqual(AccessStamp.recencyMilliseconds(AccessStamp.recencyCode(ms, width: width), width: width), ms)
            }
            var samples = (0..<20_000).map { _ in UInt64.random(in: 0...(1 << 40), using: &random) >> UInt64.random(in: 0...40, using: &random) }
            samples.sort()
            var previous: UInt32 = 0
            for ms in samples {
                let code = AccessStamp.recencyCode(ms, width: width)
                XCTAssertLessThan(code, 1 << UInt32(width))
                XCTAssertGreaterThanOrEqual(code, previous, "monotonic at \(ms) ms, width \(width)")
                previous = code
                let decoded = AccessStamp.recencyMilliseconds(code, width: width)
                XCTAssertLessThanOrEqual(decoded, ms)
                // Relative precision 2^-(mantissa bits - 1).
                XCTAssertLessThanOrEqual(ms - decoded, ms >> UInt64(mantissaBits - 1), "\(ms) ms decoded as \(decoded)")
            }
        }
    }

    func testIdleTimeOrdersRecency() {
        let early = AccessStamp(tracking: .recency, milliseconds: 10_000, logFactor: 10, decayMinutes: 1)
        let late = AccessStamp(tracking: .recency, milliseconds: 90_000_000, logFactor: 10, decayMinutes: 1)
        for width in [24, 16] {
            let old = early.initialField(width: width)
            let recent = late.touched(old, width: width) { 0 }
            XCTAssertGreaterThan(late.evictionScore(old, width: width), late.evictionScore(recent, width: width))
            XCTAssertEqual(late.evictionScore(recent, width: width), 90_000_000 - AccessStamp.recencyMilliseconds(recent, width: width))
        }
    }

    func testFrequencyCounterGrowsLogarithmicallyAndDecays() {
        for width in [24, 16] {
            let start = AccessStamp(tracking: .frequency, milliseconds: 0, logFactor: 0, decayMinutes: 1)
            var field = start.initialField(width: width)
            XCTAssertEqual(field & 0xFF, 5, "new keys start at LFU_INIT_VAL")
            for _ in 0..<300 { field = start.touched(field, width: width) { UInt32.max } }
            XCTAssertEqual(field & 0xFF, 255, "with log factor 0 every access counts, up to 255")
            // Factor 10: from 5, the first access always counts, later ones ever more rarely:
            // reaching c + 1 from c takes (c - 5) · 10 + 1 accesses on average, so 1000
            // accesses end near 19 (Redis's table for factor 10 says 18).
            let logarithmic = AccessStamp(tracking: .frequency, milliseconds: 0, logFactor: 10, decayMinutes: 1)
            var random = SeededRandom(seed: 11)
            var total: UInt32 = 0
            for _ in 0..<100 {
                var counted = logarithmic.initialField(width: width)
                for _ in 0..<1000 { counted = logarithmic.touched(counted, width: width) { UInt32(truncatingIfNeeded: random.next()) } }
                total += counted & 0xFF
            }
            XCTAssertEqual(Double(total) / 100, 19.4, accuracy: 1, "mean counter after 1000 accesses")
            // Three minutes later with a decay time of one minute: 3 less; none with 0.
            let later = AccessStamp(tracking: .frequency, milliseconds: 3 * 60_000, logFactor: 0, decayMinutes: 1)
            XCTAssertEqual(later.decayedCounter(field, width: width), 252)
            XCTAssertEqual(later.evictionScore(field, width: width), 3)
            let never = AccessStamp(tracking: .frequency, milliseconds: 3 * 60_000, logFactor: 0, decayMinutes: 0)
            XCTAssertEqual(never.decayedCounter(field, width: width), 255)
            let touched = later.touched(field, width: width) { UInt32.max }
            XCTAssertEqual(touched & 0xFF, 253, "an access first applies the decay, then counts")
            XCTAssertEqual(later.decayedCounter(touched, width: width), 253, "and restarts the decay clock")
        }
        // The 16-bit field's minute clock wraps after 256 minutes.
        let wrapped = AccessStamp(tracking: .frequency, milliseconds: 300 * 60_000, logFactor: 0, decayMinutes: 1)
        XCTAssertEqual(wrapped.decayedCounter(5 | 0 << 8, width: 16), 0, "300 minutes read as 44: 5 - 44 < 0")
        XCTAssertEqual(wrapped.decayedCounter(255, width: 16), 255 - 44)
        XCTAssertEqual(wrapped.decayedCounter(255, width: 24), 0)
    }

    // MARK: In the B-skiplist

    /// Scores of every key, by sampling the whole index with no gaps.
    private func scores(_ index: BSkipList) -> [[UInt8]: UInt64] {
        var all: [[UInt8]: UInt64] = [:]
        index.sampleForEviction(after: nil, count: index.count, maximumGap: 0) { key, score in all[Array(key)] = score }
        return all
    }

    func testReadsAndWritesRecordRecencyButExistenceChecksDoNot() throws {
        let tracker = AccessTracker()
        tracker.configure(.recency, logFactor: 10, decayMinutes: 1)
        let index = BSkipList(nodeBytes: 256, access: tracker)
        let short = bytes("short")
        let long = bytes("a key longer than sixteen bytes")
        for key in [short, long, bytes("other")] { index.put(key, bytes("value")) }
        usleep(60_000)
        XCTAssertEqual(index.get(short), bytes("value"))
        index.update(long) { _ in (.store(bytes("new value, out of line")), ()) }
        let idle = try XCTUnwrap(scores(index)[bytes("other")])
        XCTAssertGreaterThanOrEqual(idle, 40, "untouched for the sleep")
        XCTAssertLessThan(try XCTUnwrap(scores(index)[short]), idle, "GET is an access")
        XCTAssertLessThan(try XCTUnwrap(scores(index)[long]), idle, "a read-modify-write is an access")
        usleep(60_000)
        let before = try XCTUnwrap(scores(index)[short])
        XCTAssertTrue(index.contains(short))
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(scores(index)[short]), before, "contains is not an access")
        XCTAssertEqual(short.withUnsafeBytes { index.deadline(ofKey: $0) }, 0)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(scores(index)[short]), before, "reading the deadline (TTL) is not an access")
        try index.checkInvariants()
    }

    func testTrackingCostsNoMemory() throws {
        var footprints: [Int] = []
        for tracking in [AccessTracking.off, .recency, .frequency] {
            let tracker = AccessTracker()
            tracker.configure(tracking, logFactor: 0, decayMinutes: 1)
            let index = BSkipList(seed: 42, access: tracker)
            for i in 0..<20_000 {
                let key = bytes(i % 2 == 0 ? "k\(i)" : "a longer key number \(i)")
                index.put(key, Array(repeating: UInt8(i & 0xFF), count: i % 40))
                _ = index.get(key)
            }
            try index.checkInvariants()
            footprints.append(index.bytesInUse)
        }
        XCTAssertEqual(Set(footprints).count, 1, "bytes in use with tracking off, LRU, LFU: \(footprints)")
    }
}
