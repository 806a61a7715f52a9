import XCTest
@testable import SkipKVProtocol

final class OutputBufferTests: XCTestCase {
    func testAppendAndConsume() {
        var buffer = OutputBuffer(initialCapacity: 16)
        XCTAssertTrue(buffer.isEmpty)
        bytes("hello world").withUnsafeBytes { buffer.append($0) }
        buffer.append(UInt8(ascii: "!"))
        XCTAssertEqual(Array(buffer.readableBytes), bytes("hello world!"))
        buffer.consume(6)
        XCTAssertEqual(Array(buffer.readableBytes), bytes("world!"))
        buffer.consume(6)
        XCTAssertTrue(buffer.isEmpty)
        XCTAssertEqual(buffer.readerIndex, 0, "an emptied buffer starts over at the front")
    }

    func testGrowthKeepsUnsentBytesInOrder() {
        var buffer = OutputBuffer(initialCapacity: 16)
        var expected: [UInt8] = []
        var random = SeededGenerator(seed: 7)
        for round in 0..<2000 {
            let chunk = (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            chunk.withUnsafeBytes { buffer.append($0) }
            expected += chunk
            let sent = Int.random(in: 0...buffer.count, using: &random)
            buffer.consume(sent)
            expected.removeFirst(sent)
            XCTAssertEqual(Array(buffer.readableBytes), expected, "round \(round)")
        }
        XCTAssertLessThanOrEqual(buffer.capacity, 256, "consumed space is reused rather than grown past")
    }

    func testRemoveAllReleasesExcessCapacity() {
        var buffer = OutputBuffer(initialCapacity: 16)
        [UInt8](repeating: 1, count: 10_000).withUnsafeBytes { buffer.append($0) }
        buffer.removeAll(maximumRetainedCapacity: 64)
        XCTAssertTrue(buffer.isEmpty)
        XCTAssertEqual(buffer.capacity, 64)
        buffer.append(UInt8(9))
        XCTAssertEqual(Array(buffer.readableBytes), [9])
        buffer.removeAll()
        XCTAssertEqual(buffer.capacity, 64)
    }

    func testAppendDecimal() {
        var buffer = OutputBuffer(initialCapacity: 16)
        buffer.appendDecimal(-12)
        buffer.appendDecimal(Int64(345))
        XCTAssertEqual(Array(buffer.readableBytes), bytes("-12345"))
    }
}
