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
        switch Int.random(in: 0..<11, using: &random) {
        case 0..<5: return .set(random.bytes(length(&random)), random.bytes(length(&random)))
        case 5..<8: return .delete(random.bytes(length(&random)))
        case 8: return .rangeDelete(KeyRange(lower: randomBound(&random), upper: randomBound(&random)))
        case 9: return .flushAll
        default:
            return .batch((0..<Int.random(in: 0...3, using: &random)).map { _ in
                Bool.random(using: &random) ? .set(random.bytes(length(&random)), random.bytes(length(&random))) : .delete(random.bytes(length(&random)))
            })
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
        XCTAssertEqual(u32(header, 8), 1)
        XCTAssertEqual(Array(header[16..<24]), [2, 1, 0, 0, 0, 0, 0, 0])
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
