import XCTest
@testable import SkipKVIndex
import SkipKVKeys
import SkipKVTestSupport

/// Structure-specific checks of the B-skiplist: splits, merges, tall keys and memory reclamation,
/// with tiny nodes so every path is exercised. Behaviour shared with the baseline is tested
/// generically elsewhere.
final class BSkipListStructureTests: XCTestCase {
    private func key(_ i: Int) -> [UInt8] { withUnsafeBytes(of: UInt64(i).bigEndian) { Array($0) } }

    func testSequentialAndReverseInsertKeepInvariants() throws {
        for order in [Array(0..<3000), Array((0..<3000).reversed())] {
            let index = BSkipList(nodeBytes: 256, promotionDenominator: 4, seed: 7)
            for i in order { XCTAssertEqual(index.put(key(i), key(i * 2)), .inserted) }
            try index.checkInvariants()
            XCTAssertEqual(index.count, 3000)
            for i in 0..<3000 { XCTAssertEqual(index.get(key(i)), key(i * 2)) }
        }
    }

    func testRemovingEverythingReturnsToTheEmptyFootprint() throws {
        let index = BSkipList(nodeBytes: 256, promotionDenominator: 4, seed: 11)
        let empty = index.bytesInUse
        var rng = SystemRandomNumberGenerator()
        let keys = (0..<5000).map { _ in (0..<Int.random(in: 0...24, using: &rng)).map { _ in UInt8.random(in: 0...3, using: &rng) } }
        for k in keys { index.put(k, Array(repeating: 1, count: 20)) }
        try index.checkInvariants()
        XCTAssertGreaterThan(index.bytesInUse, empty)
        for k in keys.shuffled() { index.remove(k) }
        try index.checkInvariants()
        XCTAssertEqual(index.count, 0)
        XCTAssertEqual(index.bytesInUse, empty)
    }

    func testDeletingNinetyPercentShrinksMemory() throws {
        let index = BSkipList(nodeBytes: 1024, seed: 3)
        let n = 200_000
        for i in (0..<n).shuffled() { index.put(key(i), key(i)) }
        let peak = index.bytesInUse
        for i in (0..<n).shuffled() where i % 10 != 0 { index.remove(key(i)) }
        try index.checkInvariants()
        XCTAssertEqual(index.count, n / 10)
        XCTAssertLessThanOrEqual(Double(index.bytesInUse) / Double(peak), 0.2)
    }

    func testRandomOperationsAgainstModel() throws {
        let seed = testSeed(#function)
        var rng = SeededRandom(seed: seed)
        let index = BSkipList(nodeBytes: 256, promotionDenominator: 2, seed: seed)
        var model: [[UInt8]: [UInt8]] = [:]
        for step in 0..<40_000 {
            let k = (0..<Int.random(in: 0...12, using: &rng)).map { _ in UInt8.random(in: 0...2, using: &rng) }
            let v = (0..<Int.random(in: 0...12, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...3:
                XCTAssertEqual(index.put(k, v), model[k] == nil ? .inserted : .replaced)
                model[k] = v
            case 4...6:
                XCTAssertEqual(index.remove(k), model.removeValue(forKey: k) != nil)
            case 7:
                let old = index.update(k) { old -> (UpdateAction, [UInt8]?) in
                    (old == nil ? .store(v) : .remove, old.map { Array($0) })
                }
                XCTAssertEqual(old, model[k])
                model[k] = old == nil ? v : nil
            default:
                XCTAssertEqual(index.get(k), model[k])
            }
            if step % 5000 == 0 { try index.checkInvariants() }
        }
        try index.checkInvariants()
        let sorted = model.keys.sorted { compareBytes($0, $1) < 0 }
        XCTAssertEqual(index.entries().map(\.key), sorted)
        XCTAssertEqual(index.entries(reverse: true).map(\.key), sorted.reversed())
        XCTAssertEqual(index.count, model.count)
    }
}
