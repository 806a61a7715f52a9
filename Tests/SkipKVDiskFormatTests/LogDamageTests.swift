@testable import SkipKVDiskFormat
import SkipKVKeys
import XCTest

final class LogDamageTests: XCTestCase {
    private let image = SegmentImage(sequence: 3, records: smallSegmentRecords)

    func testTruncationAtEveryOffset() throws {
        let path = try makeScratchDirectory(self) + "/segment"
        let boundaries = [LogFormat.headerSize] + image.recordEnds
        for cut in 0..<image.bytes.count {
            let (scan, records) = try readSegment(Array(image.bytes[..<cut]), at: path)
            let whole = image.recordEnds.filter { $0 <= cut }.count
            XCTAssertEqual(records, Array(smallSegmentRecords.prefix(whole)), "cut \(cut)")
            XCTAssertEqual(scan.fileSize, cut)
            if cut < LogFormat.headerSize {
                XCTAssertNil(scan.sequence, "cut \(cut)")
                XCTAssertEqual(scan.validEnd, 0)
                XCTAssertEqual(scan.damage, LogDamage(offset: 0, reason: cut == 0 ? "empty file" : "incomplete header", isTornTail: true))
            } else if boundaries.contains(cut) {
                XCTAssertEqual(scan.sequence, 3)
                XCTAssertNil(scan.damage, "a cut between records leaves a whole segment (cut \(cut))")
                XCTAssertEqual(scan.validEnd, cut)
            } else {
                let lastGood = boundaries.last { $0 <= cut }!
                XCTAssertEqual(scan.sequence, 3)
                XCTAssertEqual(scan.validEnd, lastGood, "cut \(cut)")
                XCTAssertEqual(scan.damage?.offset, lastGood, "cut \(cut)")
                XCTAssertEqual(scan.damage?.isTornTail, true, "cut \(cut): \(String(describing: scan.damage))")
            }
        }
    }

    func testBitFlipsAnywhereAreCaughtAndClassified() throws {
        let path = try makeScratchDirectory(self) + "/segment"
        let starts = image.recordStarts
        for bit in 0..<(image.bytes.count * 8) {
            let byte = bit / 8
            let (scan, records) = try readSegment(flippingBit(bit, of: image.bytes), at: path)
            guard let damage = scan.damage else {
                XCTFail("bit \(bit): flip not detected")
                continue
            }
            if byte < LogFormat.headerSize {
                XCTAssertEqual(damage.offset, 0, "bit \(bit)")
                XCTAssertFalse(damage.isTornTail, "bit \(bit)")
                XCTAssertNil(scan.sequence)
                XCTAssertEqual(records, [])
                continue
            }
            let index = starts.lastIndex { $0 <= byte }!
            XCTAssertEqual(records, Array(smallSegmentRecords.prefix(index)), "bit \(bit)")
            XCTAssertEqual(damage.offset, starts[index], "bit \(bit)")
            XCTAssertEqual(scan.validEnd, starts[index], "bit \(bit)")
            let inLengthFields = byte < starts[index] + 8
            let inLastRecord = index == starts.count - 1
            // Only a bad checksum on the very last record can be a write cut short.
            XCTAssertEqual(damage.isTornTail, inLastRecord && !inLengthFields, "bit \(bit): \(damage)")
        }
    }

    func testZeroFilledTailIsTorn() throws {
        let path = try makeScratchDirectory(self) + "/segment"
        for zeros in [1, 11, 12, 13, 4096] {
            let (scan, records) = try readSegment(image.bytes + [UInt8](repeating: 0, count: zeros), at: path)
            XCTAssertEqual(records, smallSegmentRecords)
            XCTAssertEqual(scan.validEnd, image.bytes.count)
            XCTAssertEqual(scan.damage?.offset, image.bytes.count)
            XCTAssertEqual(scan.damage?.isTornTail, true, "\(zeros) zeros")
        }
        // Zeros followed by data are not a crash artefact.
        let (scan, _) = try readSegment(image.bytes + [UInt8](repeating: 0, count: 100) + [1], at: path)
        XCTAssertEqual(scan.damage, LogDamage(offset: image.bytes.count, reason: "bad length check", isTornTail: false))
        // A zero-filled header: the file's size reached the disk, its first write did not.
        let (zeroHeader, _) = try readSegment([UInt8](repeating: 0, count: 4096), at: path)
        XCTAssertEqual(zeroHeader.damage, LogDamage(offset: 0, reason: "zero-filled header", isTornTail: true))
        XCTAssertNil(zeroHeader.sequence)
    }

    func testBadHeaders() throws {
        let path = try makeScratchDirectory(self) + "/segment"
        var wrongMagic = image.bytes
        wrongMagic[0] = UInt8(ascii: "X")
        let (magic, _) = try readSegment(wrongMagic, at: path)
        XCTAssertEqual(magic.damage, LogDamage(offset: 0, reason: "bad magic", isTornTail: false))
        XCTAssertEqual(magic.validEnd, 0)
        XCTAssertEqual(magic.damageError, .damaged(path: path, offset: 0, reason: "bad magic"))

        var futureVersion = image.bytes
        futureVersion[8] = 3
        let crc = futureVersion[0..<24].withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer($0)) }
        withUnsafeBytes(of: crc.littleEndian) { futureVersion.replaceSubrange(24..<28, with: $0) }
        let (version, _) = try readSegment(futureVersion, at: path)
        XCTAssertEqual(version.damage, LogDamage(offset: 0, reason: "unsupported version 3", isTornTail: false))

        let (empty, _) = try readSegment([], at: path)
        XCTAssertEqual(empty.damage, LogDamage(offset: 0, reason: "empty file", isTornTail: true))
        XCTAssertEqual(empty.fileSize, 0)
    }

    /// Records whose checksums are good but whose bodies a correct encoder never writes.
    func testUndecodableBodiesAreCorruption() throws {
        let path = try makeScratchDirectory(self) + "/segment"
        let cases: [([UInt8], String)] = [
            ([9], "unknown record kind 9"),
            ([], "empty record"),
            ([1, 5, 0, 0], "incomplete set record"),
            ([1, 5, 0, 0, 0, 1, 2], "key length past the end"),
            ([3, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0], "bad bound kind 7"),
            ([3, 0, 1, 0, 0, 0, 65, 0, 0, 0, 0, 0], "unbounded bound with a key"),
            ([3, 1, 9, 0, 0, 0, 65], "bound length past the end"),
            ([3, 0, 0, 0, 0, 0], "incomplete range bound"),
            ([3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "bytes after the range"),
            ([4, 0], "bytes after flush-all"),
            ([5, 1, 2, 3], "batch record: inner record at 0: incomplete record header"),
            ([6, 0, 0, 0, 0], "incomplete set-expiring record"),
            ([6, 1, 0, 0, 0, 65, 1, 0, 0, 0, 0, 0, 0], "key length past the end"),  // deadline cut short
            ([6, 2, 0, 0, 0, 65, 1, 0, 0, 0, 0, 0, 0, 0], "key length past the end"),
            ([6, 1, 0, 0, 0, 65, 0, 0, 0, 0, 0, 0, 0, 0], "nonpositive deadline 0"),
            ([6, 0, 0, 0, 0] + le64(-1) + [1], "nonpositive deadline -1"),
            ([7], "incomplete expire record"),
            ([7, 1, 0, 0, 0, 0, 0, 0], "incomplete expire record"),
            ([7] + le64(Int64.min) + utf8("k"), "negative deadline -9223372036854775808"),
            ([5] + sealed([6, 0, 0, 0, 0]), "batch record: inner record at 0: incomplete set-expiring record"),
            ([5] + ModelRecord.delete(utf8("k")).encoded + sealed([7, 1]), "batch record: inner record at 14: incomplete expire record"),
            ([5] + ModelRecord.batch([]).encoded, "batch inside a batch"),
        ]
        for (body, reason) in cases {
            let bytes = image.bytes + sealed(body)
            let (scan, records) = try readSegment(bytes, at: path)
            XCTAssertEqual(records, smallSegmentRecords)
            XCTAssertEqual(scan.damage, LogDamage(offset: image.bytes.count, reason: reason, isTornTail: false))
        }
    }

    /// A complete record around `body`, with good checksums whatever the body holds.
    private func sealed(_ body: [UInt8]) -> [UInt8] {
        var record = [UInt8](repeating: 0, count: 12) + body
        record.withUnsafeMutableBytes { _ = LogRecordEncoder.seal($0.baseAddress!, bodyCount: body.count) }
        return record
    }

    private func le64(_ value: Int64) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// A crash in the middle of a batch's append loses the whole batch, never a prefix of
    /// its inner records: recovery replays all of a RENAME or none of it.
    func testTornBatchIsDroppedWhole() throws {
        let path = try makeScratchDirectory(self) + "/segment"
        let head = SegmentImage(sequence: 3, records: [.set(utf8("from"), utf8("value"))]).bytes
        let batches: [ModelRecord] = [
            .batch([.set(utf8("to"), utf8("value")), .delete(utf8("from"))]),
            // The RENAME of a key with a TTL.
            .batch([.setExpiring(utf8("to"), utf8("value"), deadline: 42), .delete(utf8("from"))]),
        ]
        for batch in batches {
            let encoded = batch.encoded
            let whole = try readSegment(head + encoded, at: path)
            XCTAssertEqual(whole.records, [.set(utf8("from"), utf8("value")), batch])
            for cut in 1..<encoded.count {
                let (scan, records) = try readSegment(head + encoded[..<cut], at: path)
                XCTAssertEqual(records, [.set(utf8("from"), utf8("value"))], "\(batch) cut \(cut)")
                XCTAssertEqual(scan.damage?.isTornTail, true, "\(batch) cut \(cut)")
                XCTAssertEqual(scan.validEnd, head.count, "\(batch) cut \(cut)")
            }
        }
    }

    func testImpossibleLengthIsCorruption() throws {
        let path = try makeScratchDirectory(self) + "/segment"
        let length = UInt32(LogFormat.maxRecordBytes + 1)
        var header = withUnsafeBytes(of: length.littleEndian) { Array($0) }
        header += withUnsafeBytes(of: header.withUnsafeBytes { CRC32C.checksum($0) }.littleEndian) { Array($0) }
        header += [0, 0, 0, 0]
        let (scan, _) = try readSegment(image.bytes + header + [1, 2, 3], at: path)
        XCTAssertEqual(scan.damage?.offset, image.bytes.count)
        XCTAssertEqual(scan.damage?.isTornTail, false)
        // Within the limit but past the end of the file: a record still being written.
        let short = UInt32(100)
        var pending = withUnsafeBytes(of: short.littleEndian) { Array($0) }
        pending += withUnsafeBytes(of: pending.withUnsafeBytes { CRC32C.checksum($0) }.littleEndian) { Array($0) }
        pending += [0, 0, 0, 0]
        let (torn, _) = try readSegment(image.bytes + pending + [1, 2, 3], at: path)
        XCTAssertEqual(torn.damage, LogDamage(offset: image.bytes.count, reason: "incomplete record", isTornTail: true))
    }
}
