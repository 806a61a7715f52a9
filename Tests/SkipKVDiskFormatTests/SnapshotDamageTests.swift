@testable import SkipKVDiskFormat
import XCTest

final class SnapshotDamageTests: XCTestCase {
    /// Tiny blocks, so a file of a few hundred bytes has many of them, including an entry
    /// larger than a block that gets a block of its own; every third key has a deadline.
    private func smallSnapshot(_ directory: String) throws -> (bytes: [UInt8], pairs: [Pair]) {
        var pairs: [Pair] = (0..<12).map {
            (utf8("key\($0 + 10)"), utf8(String(repeating: "v", count: $0 % 4)), $0 % 3 == 0 ? 1_700_000_000_000 + Int64($0) : 0)
        }
        pairs[5].value = [UInt8](repeating: 0xAB, count: 70)
        pairs[5].deadline = Int64.max
        pairs.append(([], [], 0))
        pairs.sort { $0.key.lexicographicallyPrecedes($1.key) }
        try writeSnapshot(pairs, directory: directory, fileName: "small.skv", logSequence: 3, createdAt: 77, blockTarget: 24)
        let bytes = try readFile(directory + "/small.skv")
        XCTAssertGreaterThan(SnapshotLayout(bytes).blockStarts.count, 4)
        return (bytes, pairs)
    }

    func testTruncationAtEveryOffset() throws {
        let directory = try makeScratchDirectory(self)
        let (bytes, pairs) = try smallSnapshot(directory)
        let layout = SnapshotLayout(bytes)
        let boundaries = [0, 64] + layout.blockStarts + [layout.endMarker, layout.endMarker + 16] + layout.changeStarts
            + [layout.changesEndMarker, layout.trailer]
        let path = directory + "/cut.skv"
        for cut in 0..<bytes.count {
            let (result, read) = try readSnapshot(Array(bytes[..<cut]), at: path)
            let offset = boundaries.last { $0 <= cut }!
            XCTAssertEqual(result.damage?.offset, offset, "cut \(cut): \(String(describing: result.damage))")
            XCTAssertPairsEqual(read, Array(pairs.prefix(layout.keys(before: cut))), "cut \(cut)")
            XCTAssertEqual(result.header == nil, cut < 64, "cut \(cut)")
        }
        let (whole, read) = try readSnapshot(bytes, at: path)
        XCTAssertNil(whole.damage)
        XCTAssertPairsEqual(read, pairs)
    }

    func testBitFlipsAnywhereAreCaught() throws {
        let directory = try makeScratchDirectory(self)
        let (bytes, pairs) = try smallSnapshot(directory)
        let path = directory + "/flipped.skv"
        for bit in 0..<(bytes.count * 8) {
            let (result, read) = try readSnapshot(flippingBit(bit, of: bytes), at: path)
            guard let damage = result.damage else {
                XCTFail("bit \(bit): flip not detected")
                continue
            }
            XCTAssertLessThanOrEqual(damage.offset, bit / 8, "bit \(bit): damage reported after the flip")
            XCTAssertPairsEqual(read, Array(pairs.prefix(SnapshotLayout(bytes).keys(before: damage.offset))), "bit \(bit)")
        }
    }

    func testBadHeaders() throws {
        let directory = try makeScratchDirectory(self)
        let (bytes, _) = try smallSnapshot(directory)
        let path = directory + "/bad.skv"
        var wrongMagic = bytes
        wrongMagic[3] = UInt8(ascii: "X")
        let (magic, none) = try readSnapshot(wrongMagic, at: path)
        XCTAssertEqual(magic.damage, SnapshotDamage(offset: 0, reason: "bad magic"))
        XCTAssertEqual(magic.damageError, .damaged(path: path, offset: 0, reason: "bad magic"))
        XCTAssertNil(magic.header)
        XCTAssertTrue(none.isEmpty)
        XCTAssertNil(try SnapshotReader.readHeader(path: path))

        let (empty, _) = try readSnapshot([], at: path)
        XCTAssertEqual(empty.damage, SnapshotDamage(offset: 0, reason: "empty file"))
        XCTAssertEqual(empty.fileSize, 0)

        var future = SnapshotFormat.header(createdAt: 0, keyCount: 0, logSequence: 0, changeCount: 0)
        future[8] = 4
        future.withUnsafeMutableBytes { FileHeader.seal($0, checksumOffset: 60) }
        let (version, _) = try readSnapshot(future, at: path)
        XCTAssertEqual(version.damage, SnapshotDamage(offset: 0, reason: "unsupported version 4"))
    }

    func testTrailerChecks() throws {
        let directory = try makeScratchDirectory(self)
        let (bytes, pairs) = try smallSnapshot(directory)
        let layout = SnapshotLayout(bytes)
        let path = directory + "/trailer.skv"

        let (extra, all) = try readSnapshot(bytes + [0], at: path)
        XCTAssertEqual(extra.damage, SnapshotDamage(offset: bytes.count, reason: "1 bytes after the trailer"))
        XCTAssertPairsEqual(all, pairs)

        // Header and trailer agree with each other but not with the blocks: one block dropped.
        let dropped = Array(bytes[..<layout.blockStarts[1]] + bytes[layout.blockEnds[1]...])
        let (short, _) = try readSnapshot(dropped, at: path)
        XCTAssertEqual(short.damage?.offset, dropped.count - 16)
        XCTAssertEqual(short.keys, pairs.count - layout.entryCounts[1])

        // The trailer disagrees with the header.
        var miscounted = bytes
        miscounted[miscounted.count - 8] ^= 2
        let (counted, _) = try readSnapshot(miscounted, at: path)
        XCTAssertEqual(counted.damage?.offset, layout.trailer)
        XCTAssertEqual(counted.keys, pairs.count)
    }

    /// Blocks whose checksums are good but whose entries a correct writer never produces.
    func testMalformedBlocksWithGoodChecksums() throws {
        let directory = try makeScratchDirectory(self)
        let path = directory + "/crafted.skv"
        let cases: [(entries: Int, payload: [UInt8])] = [
            (1, [5, 1, 2]),  // key runs past the payload
            (1, [1, 65]),  // no value length
            (2, [1, 65, 0]),  // one entry, header says two
            (1, [1, 65, 0, 0]),  // a stray byte after the entry
            (1, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),  // length beyond Int
            (1, [1, 65, 3, 66]),  // the flag announces a deadline, the payload ends
            (1, [1, 65, 3, 66, 1, 2, 3, 4, 5, 6, 7]),  // a deadline cut short
            (1, [1, 65, 3, 66, 0, 0, 0, 0, 0, 0, 0, 0]),  // a deadline of 0 is written without the flag
            (1, [1, 65, 3, 66, 0, 0, 0, 0, 0, 0, 0, 0x80]),  // a negative deadline
            (1, [1, 65, 5, 66, 1, 0, 0, 0, 0, 0, 0, 0]),  // value length 2 runs into the deadline
            (2, [1, 65, 3, 66, 1, 0, 0, 0, 0, 0, 0, 0, 1, 67, 1]),  // a good entry, then a flag and no value
        ]
        for (entries, payload) in cases {
            var block = [UInt8](repeating: 0, count: 16) + payload
            let crc = payload.withUnsafeBytes { CRC32C.checksum($0) }
            block.withUnsafeMutableBytes {
                SnapshotFormat.writeBlockHeader(to: $0.baseAddress!, entryCount: entries, payloadCount: payload.count, payloadCRC: crc)
            }
            let file = SnapshotFormat.header(createdAt: 0, keyCount: UInt64(entries), logSequence: 0, changeCount: 0) + block
            let (result, read) = try readSnapshot(file, at: path)
            XCTAssertEqual(result.damage?.offset, 64, "\(payload)")
            XCTAssertTrue(read.isEmpty, "a bad block delivers nothing")
        }
        var marker = [UInt8](repeating: 0, count: 16)
        marker.withUnsafeMutableBytes { SnapshotFormat.writeBlockHeader(to: $0.baseAddress!, entryCount: 0, payloadCount: 3, payloadCRC: 0) }
        let (result, _) = try readSnapshot(SnapshotFormat.header(createdAt: 0, keyCount: 0, logSequence: 0, changeCount: 0) + marker, at: path)
        XCTAssertEqual(result.damage, SnapshotDamage(offset: 64, reason: "bad end marker"))
    }
}
