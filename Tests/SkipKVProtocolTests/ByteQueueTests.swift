import XCTest
@testable import SkipKVProtocol
import SkipKVTestSupport

final class ByteQueueTests: XCTestCase {
    func testAppendAndConsume() {
        var buffer = ByteQueue(initialCapacity: 16)
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
        var buffer = ByteQueue(initialCapacity: 16)
        var expected: [UInt8] = []
        var random = SeededRandom(seed: 7)
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

    /// The read side: reads of random sizes land in reserved space and come out in order,
    /// however the queue slides or grows in between.
    func testReservedReadsCommitInOrder() {
        var buffer = ByteQueue(initialCapacity: 16)
        var expected: [UInt8] = []
        var random = SeededRandom(seed: 11)
        var next: UInt8 = 0
        for round in 0..<2000 {
            let minimum = Int.random(in: 1...64, using: &random)
            let space = buffer.reserve(minimum: minimum)
            XCTAssertGreaterThanOrEqual(space.count, minimum, "round \(round)")
            let read = Int.random(in: 0...space.count, using: &random)
            for i in 0..<read {
                space[i] = next
                expected.append(next)
                next &+= 1
            }
            buffer.commit(read)
            let parsed = Int.random(in: 0...buffer.count, using: &random)
            buffer.consume(parsed)
            expected.removeFirst(parsed)
            XCTAssertEqual(Array(buffer.readableBytes), expected, "round \(round)")
        }
    }

    func testRemoveAllReleasesExcessCapacity() {
        var buffer = ByteQueue(initialCapacity: 16)
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
        var buffer = ByteQueue(initialCapacity: 16)
        buffer.appendDecimal(-12)
        buffer.appendDecimal(Int64(345))
        XCTAssertEqual(Array(buffer.readableBytes), bytes("-12345"))
    }
}
