import SkipKVTestSupport
import XCTest

@testable import SkipKVServer

/// BitString's word-at-a-time counting and searching against a bit-by-bit reference, and its
/// field reads and writes against each other, on seeded random values.
final class BitStringTests: XCTestCase {
    private func bit(_ value: [UInt8], _ position: Int) -> Int { Int(value[position >> 3] >> (7 - UInt8(position & 7))) & 1 }

    func testCountAndSearchMatchABitByBitReference() {
        var random = SeededRandom(seed: testSeed("BitStringTests.testCountAndSearchMatchABitByBitReference"))
        for _ in 0..<300 {
            let length = Int.random(in: 1...80, using: &random)
            // Runs of 0x00 and 0xFF make the word skips matter.
            let value = (0..<length).map { _ in [0, 0xFF, UInt8.random(in: 0...255, using: &random)].randomElement(using: &random)! }
            let first = Int.random(in: 0..<length * 8, using: &random)
            let last = Int.random(in: first..<length * 8, using: &random)
            value.withUnsafeBytes { bytes in
                XCTAssertEqual(BitString.countOnes(bytes, from: first, through: last), (first...last).reduce(0) { $0 + bit(value, $1) })
                for wanted in 0...1 {
                    XCTAssertEqual(BitString.firstBit(wanted, in: bytes, from: first, through: last),
                                   (first...last).first { bit(value, $0) == wanted }, "\(value) \(first)...\(last) bit \(wanted)")
                }
            }
        }
    }

    func testFieldsRoundTripAndLeaveTheirNeighboursAlone() {
        var random = SeededRandom(seed: testSeed("BitStringTests.testFieldsRoundTripAndLeaveTheirNeighboursAlone"))
        for _ in 0..<300 {
            var value = (0..<12).map { _ in UInt8.random(in: 0...255, using: &random) }
            let before = value
            let width = Int.random(in: 1...64, using: &random)
            let offset = Int.random(in: 0...(96 - width), using: &random)
            let field = UInt64.random(in: 0...UInt64.max, using: &random) & BitString.mask(width: width)
            value.withUnsafeMutableBytes { BitString.setField($0, at: offset, width: width, to: field) }
            value.withUnsafeBytes { XCTAssertEqual(BitString.field($0, at: offset, width: width), field) }
            for position in 0..<96 where position < offset || position >= offset + width {
                XCTAssertEqual(bit(value, position), bit(before, position), "bit \(position) outside the field")
            }
        }
        // Past the end reads as zeros.
        [UInt8(0xFF)].withUnsafeBytes { XCTAssertEqual(BitString.field($0, at: 4, width: 8), 0xF0) }
    }
}
