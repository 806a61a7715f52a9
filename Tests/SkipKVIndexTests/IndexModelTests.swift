import SkipKVIndex
import SkipKVKeys
import XCTest
import SkipKVTestSupport

/// Random operation sequences applied to each structure and to `ReferenceMap`, comparing every
/// result. Keys come from a small alphabet on a few shared prefixes, so collisions, shared
/// prefixes and keys on both sides of the inline words (bytes 0..<8 and 8..<16) are frequent.
final class IndexModelTests: XCTestCase {
    override func setUp() {
        continueAfterFailure = false
    }

    func testRandomOperationsMatchTheReference() throws {
        let seed = testSeed("IndexModelTests.testRandomOperationsMatchTheReference")
        for (name, make) in indexesUnderTest {
            var run = ModelRun(name: name, index: make(), seed: seed)
            try run.perform(operations: 6000)
        }
    }

    /// Long keys only, so that most comparisons go past the inline prefix.
    func testRandomOperationsOnLongKeysMatchTheReference() throws {
        let seed = testSeed("IndexModelTests.testRandomOperationsOnLongKeysMatchTheReference")
        for (name, make) in indexesUnderTest {
            var run = ModelRun(name: name, index: make(), seed: seed, keys: ModelRun.prefixedKeys([
                Array(repeating: 0x61, count: 8), Array(repeating: 0x61, count: 9),
                Array(repeating: 0x61, count: 15) + [0], Array(repeating: 0xFF, count: 12),
                Array(repeating: 0x61, count: 16), Array(repeating: 0x61, count: 17),
                Array(repeating: 0x61, count: 23) + [0], bytes("key:000000123456"),
            ]))
            try run.perform(operations: 3000)
        }
    }

    /// Keys on both sides of every boundary of the inline representation (see `boundaryKey`).
    func testRandomOperationsAroundTheInlineWordsMatchTheReference() throws {
        let seed = testSeed("IndexModelTests.testRandomOperationsAroundTheInlineWordsMatchTheReference")
        for (name, make) in indexesUnderTest {
            var run = ModelRun(name: name, index: make(), seed: seed, keys: ModelRun.boundaryKey)
            try run.perform(operations: 4000)
        }
    }

    /// Many keys that all share their first 16 bytes or are prefixes of one another, as
    /// redis-benchmark's `key:000000123456` keys share their first 8: every search ties on the
    /// inline words of every entry it probes.
    func testRandomOperationsOnKeysTyingOnTheInlineWordsMatchTheReference() throws {
        let seed = testSeed("IndexModelTests.testRandomOperationsOnKeysTyingOnTheInlineWordsMatchTheReference")
        let stem = bytes("key:000000123456")
        for (name, make) in indexesUnderTest {
            var run = ModelRun(name: name, index: make(), seed: seed, keys: { random in
                let tail = (0..<Int.random(in: 0...20, using: &random)).map { _ in ([0x00, 0x30, 0x31, 0xFF] as [UInt8]).randomElement(using: &random)! }
                return Array(stem.prefix(Int.random(in: 12...16, using: &random))) + tail
            })
            try run.perform(operations: 4000)
        }
    }
}

/// One randomized run against one index.
private struct ModelRun {
    let name: String
    let index: any OrderedKeyValueIndex
    let seed: UInt64
    var random: SeededRandom
    var model = ReferenceMap()
    /// Makes a key that is not picked from the model.
    let freshKey: (inout SeededRandom) -> [UInt8]
    var step = 0

    init(name: String, index: any OrderedKeyValueIndex, seed: UInt64, keys freshKey: @escaping (inout SeededRandom) -> [UInt8] = prefixedKeys([
        [], [0x61], Array(repeating: 0x61, count: 7), Array(repeating: 0x61, count: 8),
        Array(repeating: 0x00, count: 9), [0xFF, 0xFF, 0x00],
    ])) {
        self.name = name
        self.index = index
        self.seed = seed
        self.random = SeededRandom(seed: seed)
        self.freshKey = freshKey
    }

    /// Keys made of a prefix from `prefixes` plus a tail of up to 3 bytes over 00, 61 and FF.
    static func prefixedKeys(_ prefixes: [[UInt8]]) -> (inout SeededRandom) -> [UInt8] {
        { random in
            let tail = (0..<Int.random(in: 0...3, using: &random)).map { _ in ([0x00, 0x61, 0xFF] as [UInt8]).randomElement(using: &random)! }
            return prefixes.randomElement(using: &random)! + tail
        }
    }

    /// Stems cut to lengths on both sides of each inline boundary (0, 1, 7, 8, 9, 15, 16, 17, 24
    /// and 33 bytes), so many keys are prefixes of one another, then sometimes changed at one
    /// position around a boundary or extended by a zero byte ("ab" against "ab\0": zero padding
    /// must not make them equal). Two stems share their first 20 bytes, so long keys tie on both
    /// words and differ only after them; the zero stem makes keys of zero bytes of every length.
    static func boundaryKey(_ random: inout SeededRandom) -> [UInt8] {
        let shared = bytes("key:0000001234567890")
        let stems: [[UInt8]] = [
            shared + bytes("abcdefghijklm"), shared + bytes("abcdefghijklz"), shared + [0, 0] + bytes("abcdefghijk"),
            Array(repeating: 0x00, count: 33), Array(repeating: 0xFF, count: 33), bytes("ab") + Array(repeating: 0, count: 31),
        ]
        let length = [0, 1, 7, 8, 9, 15, 16, 17, 24, 33].randomElement(using: &random)!
        var key = Array(stems.randomElement(using: &random)!.prefix(length))
        switch Int.random(in: 0..<6, using: &random) {
        case 0:
            key.append(0)
        case 1:
            let position = [0, 6, 7, 8, 9, 14, 15, 16, 17, 23].randomElement(using: &random)!
            if position < key.count { key[position] = [0x00, 0x7F, 0xFF].randomElement(using: &random)! }
        default:
            break
        }
        return key
    }

    var context: String { "\(name), seed \(seed), step \(step)" }

    mutating func key() -> [UInt8] {
        // Half the time an existing key, so that operations hit present keys.
        if !model.keys.isEmpty && Bool.random(using: &random) {
            return model.keys.randomElement(using: &random)!
        }
        return freshKey(&random)
    }

    mutating func value() -> [UInt8] {
        let length = Int.random(in: 0...10, using: &random) == 0 ? 300 : Int.random(in: 0...16, using: &random)
        return (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    mutating func bound() -> RangeBound {
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return .unbounded
        case 1: return .inclusive(key())
        default: return .exclusive(key())
        }
    }

    mutating func perform(operations: Int) throws {
        for _ in 0..<operations {
            step += 1
            let dice = Int.random(in: 0..<100, using: &random)
            switch dice {
            case 0..<30: put()
            case 30..<45: remove()
            case 45..<55: get()
            case 55..<70: update()
            case 70..<85: scan()
            case 85..<95: count()
            default: removeAll()
            }
            XCTAssertEqual(index.count, model.count, context)
            if step % 150 == 0 { sweepEveryRangeKind() }
            if step % 250 == 0 { try index.checkInvariants() }
        }
        try index.checkInvariants()
        XCTAssertEqual(index.entries().map(\.key), model.keys, context)
        XCTAssertEqual(index.entries().map(\.value), model.values, context)
    }

    mutating func put() {
        let key = key()
        let value = value()
        let condition = [PutCondition.always, .ifAbsent, .ifPresent].randomElement(using: &random)!
        XCTAssertEqual(index.put(key, value, condition: condition), model.put(key, value, condition: condition), "put \(key) \(condition), \(context)")
    }

    mutating func remove() {
        let key = key()
        XCTAssertEqual(index.remove(key), model.remove(key), "remove \(key), \(context)")
    }

    mutating func get() {
        let key = key()
        XCTAssertEqual(index.get(key), model.get(key), "get \(key), \(context)")
    }

    mutating func update() {
        let key = key()
        let action: UpdateAction
        switch Int.random(in: 0..<3, using: &random) {
        case 0: action = .keep
        case 1: action = .remove
        default: action = .store(value())
        }
        let seen = index.update(key) { current in (action, current.map(Array.init)) }
        XCTAssertEqual(seen, model.get(key), "update \(key) saw, \(context)")
        model.apply(action, to: key)
        XCTAssertEqual(index.get(key), model.get(key), "update \(key) \(action), \(context)")
    }

    mutating func scan() {
        let range = KeyRange(lower: bound(), upper: bound())
        let reverse = Bool.random(using: &random)
        let offset = [0, 0, 1, 3, 1000].randomElement(using: &random)!
        let limit = [-1, -7, 0, 1, 5, 1000].randomElement(using: &random)!
        let stopAfter = [Int.max, Int.max, 1, 4].randomElement(using: &random)!
        checkScan(range, reverse: reverse, offset: offset, limit: limit, stopAfter: stopAfter)
    }

    /// Every combination of lower and upper bound kinds, both directions, with offsets and
    /// limits, on bound keys that are present, absent, equal and inverted.
    mutating func sweepEveryRangeKind() {
        var low = key()
        var high = key()
        if ReferenceMap.less(high, low) { swap(&low, &high) }
        for (first, second) in [(low, high), (high, low), (low, low)] {
            for lower in [RangeBound.unbounded, .inclusive(first), .exclusive(first)] {
                for upper in [RangeBound.unbounded, .inclusive(second), .exclusive(second)] {
                    let range = KeyRange(lower: lower, upper: upper)
                    for reverse in [false, true] {
                        for (offset, limit) in [(0, -1), (0, 2), (1, -3), (model.count, -1), (model.count + 5, 3)] {
                            checkScan(range, reverse: reverse, offset: offset, limit: limit, stopAfter: Int.max)
                        }
                    }
                    XCTAssertEqual(index.count(in: range), model.count(in: range), "count \(range), \(context)")
                }
            }
        }
    }

    func checkScan(_ range: KeyRange, reverse: Bool, offset: Int, limit: Int, stopAfter: Int) {
        var got: [(key: [UInt8], value: [UInt8])] = []
        let seen = index.forEach(in: range, reverse: reverse, offset: offset, limit: limit) { key, value in
            got.append((Array(key), Array(value)))
            return got.count < stopAfter
        }
        let expected = Array(model.entries(in: range, reverse: reverse, offset: offset, limit: limit).prefix(stopAfter))
        let what = "forEach \(range) reverse \(reverse) offset \(offset) limit \(limit) stop after \(stopAfter), \(context)"
        XCTAssertEqual(seen, expected.count, what)
        XCTAssertEqual(got.map(\.key), expected.map(\.key), what)
        XCTAssertEqual(got.map(\.value), expected.map(\.value), what)
    }

    mutating func count() {
        let range = KeyRange(lower: bound(), upper: bound())
        XCTAssertEqual(index.count(in: range), model.count(in: range), "count \(range), \(context)")
    }

    mutating func removeAll() {
        // Mostly bounded on both sides, so that the map does not keep emptying.
        let lower = Int.random(in: 0..<8, using: &random) == 0 ? RangeBound.unbounded : bound()
        let upper = Int.random(in: 0..<8, using: &random) == 0 ? RangeBound.unbounded : bound()
        let range = KeyRange(lower: lower, upper: upper)
        XCTAssertEqual(index.removeAll(in: range), model.removeAll(in: range), "removeAll \(range), \(context)")
    }
}
