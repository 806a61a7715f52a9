#if canImport(Glibc)
import Glibc
#endif
@testable import SkipKVDiskFormat
import SkipKVKeys
import XCTest

/// Version 2 snapshots: the changes made during the scan follow the entries and are read
/// back in order; version 1 files still load.
final class SnapshotChangesTests: XCTestCase {
    /// Entries, then the change records of a set, a delete, a range delete and a flush, in
    /// blocks small enough that the changes span several.
    private func snapshotWithChanges(_ directory: String) throws -> (bytes: [UInt8], changes: [String]) {
        let writer = try SnapshotWriter(directory: directory, fileName: "c.skv", logSequence: 0, createdAt: 1, blockTarget: 40)
        for index in 0..<5 {
            try utf8("k\(index)").withUnsafeBytes { k in try utf8("v").withUnsafeBytes { try writer.append(key: k, value: $0) } }
        }
        var records: [UInt8] = []
        var expected: [String] = []
        for index in 0..<6 {
            let key = utf8("k\(index)")
            let value = utf8(String(repeating: "x", count: index * 3))
            var record = [UInt8](repeating: 0, count: LogRecordEncoder.setSize(keyCount: key.count, valueCount: value.count))
            _ = key.withUnsafeBytes { k in value.withUnsafeBytes { v in record.withUnsafeMutableBytes {
                LogRecordEncoder.writeSet(key: k, value: v, to: $0.baseAddress!)
            } } }
            records += record
            expected.append("set k\(index) \(value.count)")
        }
        var delete = [UInt8](repeating: 0, count: LogRecordEncoder.deleteSize(keyCount: 2))
        _ = utf8("k1").withUnsafeBytes { k in delete.withUnsafeMutableBytes { LogRecordEncoder.writeDelete(key: k, to: $0.baseAddress!) } }
        records += delete + LogRecordEncoder.rangeDeleteRecord(KeyRange(lower: .inclusive(utf8("k2")), upper: .unbounded))
            + LogRecordEncoder.flushAllRecord()
        expected += ["delete k1", "rangedel", "flushall"]
        try records.withUnsafeBytes { try writer.appendChanges($0, count: expected.count) }
        let summary = try writer.commit()
        XCTAssertEqual(summary.changes, expected.count)
        return (try readFile(directory + "/c.skv"), expected)
    }

    private func read(_ path: String) throws -> (result: SnapshotReadResult, keys: [String], changes: [String]) {
        var keys: [String] = []
        var changes: [String] = []
        let result = try SnapshotReader.read(path: path, { key, _ in keys.append(String(decoding: key, as: UTF8.self)) }, change: { entry in
            switch entry {
            case .set(let key, let value): changes.append("set \(String(decoding: key, as: UTF8.self)) \(value.count)")
            case .delete(let key): changes.append("delete \(String(decoding: key, as: UTF8.self))")
            case .rangeDelete: changes.append("rangedel")
            case .flushAll: changes.append("flushall")
            case .batch: changes.append("batch")
            }
        })
        return (result, keys, changes)
    }

    func testChangesFollowTheEntriesInOrder() throws {
        let directory = try makeScratchDirectory(self)
        let (bytes, expected) = try snapshotWithChanges(directory)
        XCTAssertGreaterThan(SnapshotLayout(bytes).changeStarts.count, 2, "changes span several blocks")
        let (result, keys, changes) = try read(directory + "/c.skv")
        XCTAssertNil(result.damage)
        XCTAssertEqual(keys, ["k0", "k1", "k2", "k3", "k4"])
        XCTAssertEqual(changes, expected)
        XCTAssertEqual(result.header?.changeCount, UInt64(expected.count))
        XCTAssertEqual(result.changes, expected.count)
    }

    /// Cut anywhere: never a crash, damage at or before the cut, and only whole blocks of
    /// entries and changes delivered.
    func testTruncatedChangeSectionsAreDamage() throws {
        let directory = try makeScratchDirectory(self)
        let (bytes, expected) = try snapshotWithChanges(directory)
        let layout = SnapshotLayout(bytes)
        let path = directory + "/cut.skv"
        for cut in 0..<bytes.count {
            try writeFile(path, Array(bytes[..<cut]))
            let (result, keys, changes) = try read(path)
            let damage = try XCTUnwrap(result.damage, "cut \(cut)")
            XCTAssertLessThanOrEqual(damage.offset, cut, "cut \(cut)")
            XCTAssertEqual(changes, Array(expected.prefix(changes.count)), "cut \(cut): changes out of order")
            if cut <= layout.endMarker { XCTAssertTrue(changes.isEmpty, "cut \(cut)") }
            if cut > layout.endMarker { XCTAssertEqual(keys.count, 5, "cut \(cut)") }
        }
    }

    /// The header's change count must match the blocks.
    func testChangeCountMismatchIsDamage() throws {
        let directory = try makeScratchDirectory(self)
        var (bytes, _) = try snapshotWithChanges(directory)
        bytes[40] ^= 1
        bytes.withUnsafeMutableBytes { FileHeader.seal($0, checksumOffset: 60) }
        try writeFile(directory + "/bad.skv", bytes)
        let (result, _, _) = try read(directory + "/bad.skv")
        XCTAssertEqual(result.damage?.reason.hasPrefix("header announces"), true, "\(String(describing: result.damage))")
    }

    /// A file written by the previous version (format 1: no change section) still loads.
    func testVersionOneFilesStillLoad() throws {
        let directory = try makeScratchDirectory(self)
        let payload: [UInt8] = [1, UInt8(ascii: "k"), 1, UInt8(ascii: "v")]
        var block = [UInt8](repeating: 0, count: 16) + payload
        let crc = payload.withUnsafeBytes { CRC32C.checksum($0) }
        block.withUnsafeMutableBytes { SnapshotFormat.writeBlockHeader(to: $0.baseAddress!, entryCount: 1, payloadCount: 4, payloadCRC: crc) }
        var marker = [UInt8](repeating: 0, count: 16)
        marker.withUnsafeMutableBytes { SnapshotFormat.writeBlockHeader(to: $0.baseAddress!, entryCount: 0, payloadCount: 0, payloadCRC: CRC32C().value) }
        var trailer = [UInt8](repeating: 0, count: 16)
        trailer.withUnsafeMutableBytes { SnapshotFormat.writeTrailer(to: $0.baseAddress!, keyCount: 1) }
        let header = FileHeader.encode(size: 64, magic: SnapshotFormat.magic, version: 1, checksumOffset: 60) {
            LittleEndian.store64(7, $0 + 16)
            LittleEndian.store64(1, $0 + 24)
            LittleEndian.store64(3, $0 + 32)
        }
        try writeFile(directory + "/old.skv", header + block + marker + trailer)
        let (result, keys, changes) = try read(directory + "/old.skv")
        XCTAssertNil(result.damage)
        XCTAssertEqual(keys, ["k"])
        XCTAssertEqual(changes, [])
        XCTAssertEqual(result.header, SnapshotHeader(version: 1, createdAt: 7, keyCount: 1, logSequence: 3, changeCount: 0))
    }
}

/// The fault-injection layer itself.
final class FaultInjectorTests: XCTestCase {
    override func tearDown() {
        FaultInjector.shared.clear()
        super.tearDown()
    }

    func testParsing() throws {
        let rules = try FaultInjector.parse("op=write,path=appendonly,error=ENOSPC,after=3,times=-1;op=sync,short=0,error=5,while=/tmp/x")
        XCTAssertEqual(rules, [
            .init(.write, pathContains: "appendonly", outcome: .fail(ENOSPC), after: 3, times: -1),
            .init(.sync, outcome: .fail(5), whileExists: "/tmp/x"),
        ])
        XCTAssertEqual(try FaultInjector.parse("op=write,short=1"), [.init(.write, outcome: .shortWrite(EIO))])
        for bad in ["op=nothing", "error=ENOSPC", "op=write,error=EWHAT", "op=write,after=x", "op=write,colour=red", "op=write,bare"] {
            XCTAssertThrowsError(try FaultInjector.parse(bad), bad)
        }
    }

    /// A short write stores half of the bytes and then fails; `after`/`times` pick the calls;
    /// `while` fires only while the flag file exists.
    func testShortWritesCountsAndFlagFile() throws {
        let directory = try makeScratchDirectory(self)
        let path = directory + "/f"
        let flag = directory + "/full"
        let file = try DurableFile.create(path)
        FaultInjector.shared.install([.init(.write, pathContains: "/f", outcome: .shortWrite(ENOSPC), after: 1, times: 1)])
        try utf8("first").withUnsafeBytes { try file.write($0) }
        XCTAssertThrowsError(try utf8("abcdefgh").withUnsafeBytes { try file.write($0) }) { error in
            XCTAssertEqual(error as? DiskError, .io(operation: "write", path: path, code: ENOSPC))
        }
        try utf8("!").withUnsafeBytes { try file.write($0) }
        XCTAssertEqual(try readFile(path), utf8("firstabcd!"))
        XCTAssertEqual(FaultInjector.shared.matched, 3)
        XCTAssertEqual(FaultInjector.shared.fired, 1)

        FaultInjector.shared.install([.init(.sync, outcome: .fail(EIO), times: -1, whileExists: flag)])
        XCTAssertNoThrow(try file.sync())
        try writeFile(flag, [])
        XCTAssertThrowsError(try file.sync())
        XCTAssertThrowsError(try file.sync())
        unlink(flag)
        XCTAssertNoThrow(try file.sync())
        file.close()
    }
}
