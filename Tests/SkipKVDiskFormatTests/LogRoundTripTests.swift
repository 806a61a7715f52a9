import SkipKVDiskFormat
import SkipKVKeys
import XCTest

final class LogRoundTripTests: XCTestCase {
    private func randomBound(_ random: inout ReplayableRandom) -> RangeBound {
        let key = random.bytes(Int.random(in: 0...12, using: &random))
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return .unbounded
        case 1: return .inclusive(key)
        default: return .exclusive(key)
        }
    }

    private func randomRecord(_ random: inout ReplayableRandom) -> ModelRecord {
        func length(_ random: inout ReplayableRandom) -> Int {
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<10: return 0
            case 10..<98: return Int.random(in: 1...64, using: &random)
            default: return Int.random(in: 60_000...140_000, using: &random)
            }
        }
        func singleKey(_ random: inout ReplayableRandom) -> ModelRecord {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4: return .set(random.bytes(length(&random)), random.bytes(length(&random)))
            case 4..<7: return .delete(random.bytes(length(&random)))
            case 7..<9: return .setExpiring(random.bytes(length(&random)), random.bytes(length(&random)), deadline: deadline(&random, allowsZero: false))
            default: return .expire(random.bytes(length(&random)), deadline: deadline(&random, allowsZero: true))
            }
        }
        switch Int.random(in: 0..<13, using: &random) {
        case 0..<10: return singleKey(&random)
        case 10: return .rangeDelete(KeyRange(lower: randomBound(&random), upper: randomBound(&random)))
        case 11: return .flushAll
        default: return .batch((0..<Int.random(in: 0...3, using: &random)).map { _ in singleKey(&random) })
        }
    }

    /// A deadline a correct encoder writes: > 0, or also 0 (no deadline) where allowed, with
    /// the extremes weighted up.
    private func deadline(_ random: inout ReplayableRandom, allowsZero: Bool) -> Int64 {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return allowsZero ? 0 : 1
        case 1: return 1
        case 2: return Int64.max
        default: return Int64.random(in: 1...Int64.max, using: &random)
        }
    }

    func testRandomRecordsRoundTripInOrder() throws {
        var random = replayableRandom(#function)
        let directory = try makeScratchDirectory(self)
        for round in 0..<5 {
            let records = (0..<Int.random(in: 0...400, using: &random)).map { _ in randomRecord(&random) }
            let path = "\(directory)/\(LogSegmentName.fileName(base: "appendonly.aof", sequence: UInt64(round + 1)))"
            // Written the way the log writer will: header, records, sync.
            let file = try DurableFile.create(path)
            try LogFormat.segmentHeader(sequence: UInt64(round + 1)).withUnsafeBytes { try file.write($0) }
            for record in records { try record.encoded.withUnsafeBytes { try file.write($0) } }
            try file.sync()
            let size = try file.size()
            file.close()

            let (scan, read) = try readSegment(path)
            XCTAssertEqual(read, records)
            XCTAssertEqual(scan.sequence, UInt64(round + 1))
            XCTAssertNil(scan.damage)
            XCTAssertNil(scan.damageError)
            XCTAssertEqual(scan.validEnd, size)
            XCTAssertEqual(scan.fileSize, size)
            XCTAssertEqual(scan.path, path)
        }
    }

    func testHeaderOnlySegmentIsEmptyAndWhole() throws {
        let path = try makeScratchDirectory(self) + "/appendonly.aof.7"
        let (scan, records) = try readSegment(LogFormat.segmentHeader(sequence: 7), at: path)
        XCTAssertEqual(records, [])
        XCTAssertEqual(scan.sequence, 7)
        XCTAssertEqual(scan.validEnd, LogFormat.headerSize)
        XCTAssertNil(scan.damage)
    }

    func testLayoutOfASetRecord() {
        let record = ModelRecord.set(utf8("ab"), utf8("xyz")).encoded
        XCTAssertEqual(record.count, LogRecordEncoder.setSize(keyCount: 2, valueCount: 3))
        XCTAssertEqual(u32(record, 0), 1 + 4 + 2 + 3)
        XCTAssertEqual(UInt32(u32(record, 4)), record[0..<4].withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer($0)) })
        XCTAssertEqual(UInt32(u32(record, 8)), record[12...].withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer($0)) })
        XCTAssertEqual(Array(record[12...]), [LogRecordKind.set.rawValue, 2, 0, 0, 0] + utf8("abxyz"))
        let header = LogFormat.segmentHeader(sequence: 0x0102)
        XCTAssertEqual(header.count, 32)
        XCTAssertEqual(Array(header[0..<8]), utf8("SKVLOG01"))
        XCTAssertEqual(u32(header, 8), 2)
        XCTAssertEqual(Array(header[16..<24]), [2, 1, 0, 0, 0, 0, 0, 0])
    }

    func testLayoutOfExpiringRecords() {
        let deadline: Int64 = 0x0102_0304_0506_0708
        let set = ModelRecord.setExpiring(utf8("ab"), utf8("xyz"), deadline: deadline).encoded
        XCTAssertEqual(set.count, LogRecordEncoder.setExpiringSize(keyCount: 2, valueCount: 3))
        XCTAssertEqual(u32(set, 0), 1 + 4 + 2 + 8 + 3)
        XCTAssertEqual(UInt32(u32(set, 8)), set[12...].withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer($0)) })
        XCTAssertEqual(
            Array(set[12...]),
            [LogRecordKind.setExpiring.rawValue, 2, 0, 0, 0] + utf8("ab") + [8, 7, 6, 5, 4, 3, 2, 1] + utf8("xyz"))

        let expire = ModelRecord.expire(utf8("ab"), deadline: deadline).encoded
        XCTAssertEqual(expire.count, LogRecordEncoder.expireSize(keyCount: 2))
        XCTAssertEqual(u32(expire, 0), 1 + 8 + 2)
        XCTAssertEqual(Array(expire[12...]), [LogRecordKind.expire.rawValue, 8, 7, 6, 5, 4, 3, 2, 1] + utf8("ab"))
        let persist = ModelRecord.expire(utf8("ab"), deadline: 0).encoded
        XCTAssertEqual(Array(persist[12...]), [LogRecordKind.expire.rawValue, 0, 0, 0, 0, 0, 0, 0, 0] + utf8("ab"))
        XCTAssertEqual(LogRecordKind.setExpiring.rawValue, 6)
        XCTAssertEqual(LogRecordKind.expire.rawValue, 7)
    }

    /// Segments written before deadlines existed (format version 1) still load.
    func testVersionOneSegmentsStillLoad() throws {
        var header = LogFormat.segmentHeader(sequence: 4)
        header[8] = 1
        let crc = header[0..<24].withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer($0)) }
        withUnsafeBytes(of: crc.littleEndian) { header.replaceSubrange(24..<28, with: $0) }
        let records: [ModelRecord] = [
            .set(utf8("a"), utf8("1")), .delete(utf8("b")), .flushAll, .batch([.set(utf8("c"), []), .delete(utf8("a"))]),
        ]
        let bytes = header + records.flatMap(\.encoded)
        let path = try makeScratchDirectory(self) + "/appendonly.aof.4"
        let (scan, read) = try readSegment(bytes, at: path)
        XCTAssertNil(scan.damage)
        XCTAssertEqual(scan.sequence, 4)
        XCTAssertEqual(read, records)
        XCTAssertEqual(scan.validEnd, bytes.count)
    }

    func testErrorsFromTheCallbackPropagate() throws {
        struct Stop: Error {}
        let path = try makeScratchDirectory(self) + "/segment"
        try writeFile(path, SegmentImage(sequence: 1, records: smallSegmentRecords).bytes)
        var seen = 0
        XCTAssertThrowsError(try LogSegmentReader.read(path: path) { _ in
            seen += 1
            if seen == 2 { throw Stop() }
        }) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(seen, 2)
    }

    func testMissingSegmentThrows() throws {
        let path = try makeScratchDirectory(self) + "/missing"
        XCTAssertThrowsError(try LogSegmentReader.read(path: path) { _ in }) { error in
            XCTAssertEqual(error as? DiskError, .io(operation: "open", path: path, code: ENOENT))
        }
    }
}
