@testable import SkipKVDiskFormat
import XCTest

final class SnapshotRoundTripTests: XCTestCase {
    func testManyKeysAcrossSeveralBlocks() throws {
        var random = replayableRandom(#function)
        let directory = try makeScratchDirectory(self)
        var pairs = randomPairs(20_000, &random, maxValue: 40)
        pairs[777].value = random.bytes(200_000)
        pairs[777].deadline = Int64.max - 1  // an entry in a block of its own, with a deadline
        pairs[778].value = random.bytes(SnapshotFormat.blockTargetBytes)
        pairs[778].deadline = 0
        let summary = try writeSnapshot(pairs, directory: directory, logSequence: 42, createdAt: 1_700_000_000_123)
        let path = directory + "/dump.skv"
        XCTAssertEqual(summary.keys, pairs.count)
        XCTAssertFalse(fileExists(path + ".tmp"))

        let bytes = try readFile(path)
        XCTAssertEqual(summary.bytes, bytes.count)
        let layout = SnapshotLayout(bytes)
        XCTAssertGreaterThan(layout.blockStarts.count, 5)
        XCTAssertEqual(layout.entryCounts.reduce(0, +), pairs.count)
        XCTAssertTrue(zip(layout.blockStarts, layout.blockEnds).contains { $1 - $0 - 16 > 200_000 && $1 - $0 < 200_100 })
        XCTAssertEqual(layout.trailer + 16, bytes.count)

        let (result, read) = try readSnapshot(path)
        XCTAssertPairsEqual(read, pairs)
        XCTAssertNil(result.damage)
        XCTAssertNil(result.damageError)
        XCTAssertEqual(result.fileSize, bytes.count)
        let header = SnapshotHeader(
            version: 3, createdAt: 1_700_000_000_123, keyCount: UInt64(pairs.count), logSequence: 42, changeCount: 0)
        XCTAssertEqual(result.header, header)
        XCTAssertEqual(try SnapshotReader.readHeader(path: path), header)
    }

    func testEmptySnapshot() throws {
        let directory = try makeScratchDirectory(self)
        let summary = try writeSnapshot([], directory: directory, logSequence: 1)
        XCTAssertEqual(summary, SnapshotSummary(keys: 0, changes: 0, bytes: 64 + 16 + 16 + 16))
        let (result, pairs) = try readSnapshot(directory + "/dump.skv")
        XCTAssertTrue(pairs.isEmpty)
        XCTAssertNil(result.damage)
        XCTAssertEqual(result.header?.keyCount, 0)
        XCTAssertEqual(result.header?.logSequence, 1)
    }

    func testHeaderLayout() throws {
        let directory = try makeScratchDirectory(self)
        try writeSnapshot([(utf8("k"), utf8("v"), 0)], directory: directory, logSequence: 5, createdAt: 9)
        let bytes = try readFile(directory + "/dump.skv")
        XCTAssertEqual(Array(bytes[0..<8]), utf8("SKVSNAP1"))
        XCTAssertEqual(u32(bytes, 8), 3)
        XCTAssertEqual(u32(bytes, 16), 9)
        XCTAssertEqual(u32(bytes, 24), 1)
        XCTAssertEqual(u32(bytes, 32), 5)
        XCTAssertEqual(Array(bytes[40..<60]), [UInt8](repeating: 0, count: 20), "no changes, zero padding")
        XCTAssertEqual(UInt32(u32(bytes, 60)), bytes[0..<60].withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer($0)) })
        // One block: 1 entry, payload [1, "k", 1 << 1 | no deadline, "v"].
        XCTAssertEqual(Array(bytes[64..<72]), [1, 0, 0, 0, 4, 0, 0, 0])
        XCTAssertEqual(Array(bytes[80..<84]), [1, UInt8(ascii: "k"), 2, UInt8(ascii: "v")])
        // The entries' end marker, then the (empty) change section's.
        XCTAssertEqual(Array(bytes[84..<92]), [0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(bytes[100..<108]), [0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(bytes[116..<124]), utf8("SKVEND01"))
        XCTAssertEqual(bytes.count, 132)
    }

    /// An entry with a deadline: the flag in the value length, the i64 after the value.
    func testLayoutOfAnEntryWithADeadline() throws {
        let directory = try makeScratchDirectory(self)
        try writeSnapshot([(utf8("k"), utf8("v"), 0x0102_0304_0506_0708)], directory: directory)
        let bytes = try readFile(directory + "/dump.skv")
        XCTAssertEqual(Array(bytes[64..<72]), [1, 0, 0, 0, 12, 0, 0, 0])
        XCTAssertEqual(Array(bytes[80..<92]), [1, UInt8(ascii: "k"), 3, UInt8(ascii: "v"), 8, 7, 6, 5, 4, 3, 2, 1])
        XCTAssertEqual(bytes.count, 132 + 8)
    }

    /// Keys with and without deadlines, the extremes among them, in small blocks and in
    /// blocks of their own (larger than a block, so written from the caller's memory).
    func testDeadlinesRoundTrip() throws {
        let directory = try makeScratchDirectory(self)
        let big = [UInt8](repeating: 0x5A, count: 300)
        let pairs: [Pair] = [
            ([], [], 0),
            (big, [], Int64.max),
            (utf8("a"), [], 1),
            (utf8("b"), utf8("v"), Int64.max),
            (utf8("c"), utf8("v"), Int64.max - 1),
            (utf8("d"), utf8("v"), 0),
            (utf8("e"), big, 1_700_000_000_000),
            (utf8("f"), big, 0),
            (utf8("g"), utf8(String(repeating: "x", count: 64)), 1 << 32),
        ]
        let summary = try writeSnapshot(pairs, directory: directory, blockTarget: 40)
        XCTAssertEqual(summary.keys, pairs.count)
        let (result, read) = try readSnapshot(directory + "/dump.skv")
        XCTAssertNil(result.damage)
        XCTAssertPairsEqual(read, pairs)
        XCTAssertGreaterThan(SnapshotLayout(try readFile(directory + "/dump.skv")).blockStarts.count, 4)
    }

    func testCommitReplacesThePreviousSnapshotAndLeftoversAreTruncated() throws {
        let directory = try makeScratchDirectory(self)
        try writeSnapshot([(utf8("old"), utf8("1"), 0)], directory: directory)
        try writeFile(directory + "/dump.skv.tmp", [UInt8](repeating: 7, count: 10_000))
        try writeSnapshot([(utf8("new"), utf8("2"), 0), (utf8("newer"), utf8("3"), 5)], directory: directory)
        let (result, pairs) = try readSnapshot(directory + "/dump.skv")
        XCTAssertNil(result.damage)
        XCTAssertEqual(pairs.map(\.key), [utf8("new"), utf8("newer")])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["dump.skv"])
    }

    func testAbandonRemovesTheTemporaryFileOnly() throws {
        let directory = try makeScratchDirectory(self)
        try writeSnapshot([(utf8("kept"), utf8("1"), 0)], directory: directory)
        let writer = try SnapshotWriter(directory: directory, fileName: "dump.skv", logSequence: 0, createdAt: 0)
        XCTAssertEqual(writer.temporaryPath, directory + "/dump.skv.tmp")
        XCTAssertEqual(writer.path, directory + "/dump.skv")
        try utf8("x").withUnsafeBytes { try writer.append(key: $0, value: $0, deadline: 0) }
        XCTAssertTrue(fileExists(writer.temporaryPath))
        writer.abandon()
        writer.abandon()
        XCTAssertFalse(fileExists(writer.temporaryPath))
        XCTAssertEqual(try readSnapshot(directory + "/dump.skv").pairs.map(\.key), [utf8("kept")])
    }

    func testUnfinishedTemporaryFileIsNotASnapshot() throws {
        let directory = try makeScratchDirectory(self)
        let writer = try SnapshotWriter(directory: directory, fileName: "dump.skv", logSequence: 0, createdAt: 0)
        try utf8("x").withUnsafeBytes { try writer.append(key: $0, value: $0, deadline: 7) }
        let (result, _) = try readSnapshot(writer.temporaryPath)
        XCTAssertEqual(result.damage, SnapshotDamage(offset: 0, reason: "bad magic"))
        writer.abandon()
    }

    func testWriterInAMissingDirectoryThrows() throws {
        let directory = try makeScratchDirectory(self) + "/missing"
        XCTAssertThrowsError(try SnapshotWriter(directory: directory, fileName: "dump.skv", logSequence: 0, createdAt: 0)) { error in
            XCTAssertEqual(error as? DiskError, .io(operation: "create", path: directory + "/dump.skv.tmp", code: ENOENT))
        }
        XCTAssertThrowsError(try SnapshotReader.readHeader(path: directory + "/dump.skv"))
    }
}
