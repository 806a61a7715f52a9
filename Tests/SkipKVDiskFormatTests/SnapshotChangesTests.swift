#if canImport(Glibc)
import Glibc
#endif
@testable import SkipKVDiskFormat
import SkipKVKeys
import XCTest

/// Snapshots from version 2 on: the changes made during the scan follow the entries and are
/// read back in order, deadlines included; version 1 and 2 files still load.
final class SnapshotChangesTests: XCTestCase {
    /// Entries, then the change records of sets, a delete, expiring sets, an expire, a
    /// persist, a batch, a range delete and a flush, in blocks small enough that the changes
    /// span several.
    private func snapshotWithChanges(_ directory: String) throws -> (bytes: [UInt8], changes: [String]) {
        let writer = try SnapshotWriter(directory: directory, fileName: "c.skv", logSequence: 0, createdAt: 1, blockTarget: 40)
        for index in 0..<5 {
            try utf8("k\(index)").withUnsafeBytes { k in
                try utf8("v").withUnsafeBytes { try writer.append(key: k, value: $0, deadline: Int64(index)) }
            }
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
        records += delete
        expected.append("delete k1")
        let expiring: [ModelRecord] = [
            .setExpiring(utf8("k1"), utf8("w"), deadline: 1_700_000_000_000),
            .expire(utf8("k3"), deadline: Int64.max),
            .expire(utf8("k1"), deadline: 0),
            .batch([.delete(utf8("k3")), .setExpiring(utf8("k9"), utf8("v"), deadline: 1)]),
        ]
        records += expiring.flatMap(\.encoded)
        expected += ["setex k1 1 1700000000000", "expire k3 9223372036854775807", "expire k1 0", "batch"]
        records += LogRecordEncoder.rangeDeleteRecord(KeyRange(lower: .inclusive(utf8("k2")), upper: .unbounded))
            + LogRecordEncoder.flushAllRecord()
        expected += ["rangedel", "flushall"]
        try records.withUnsafeBytes { try writer.appendChanges($0, count: expected.count) }
        let summary = try writer.commit()
        XCTAssertEqual(summary.changes, expected.count)
        return (try readFile(directory + "/c.skv"), expected)
    }

    /// The keys (with " @deadline" for those that have one) and the changes of a snapshot.
    private func read(_ path: String) throws -> (result: SnapshotReadResult, keys: [String], changes: [String]) {
        var keys: [String] = []
        var changes: [String] = []
        let result = try SnapshotReader.read(path: path, { key, _, deadline in
            keys.append(String(decoding: key, as: UTF8.self) + (deadline == 0 ? "" : " @\(deadline)"))
        }, change: { entry in
            switch entry {
            case .set(let key, let value): changes.append("set \(String(decoding: key, as: UTF8.self)) \(value.count)")
            case .delete(let key): changes.append("delete \(String(decoding: key, as: UTF8.self))")
            case .rangeDelete: changes.append("rangedel")
            case .flushAll: changes.append("flushall")
            case .batch: changes.append("batch")
            case .setExpiring(let key, let value, let deadline):
                changes.append("setex \(String(decoding: key, as: UTF8.self)) \(value.count) \(deadline)")
            case .expire(let key, let deadline): changes.append("expire \(String(decoding: key, as: UTF8.self)) \(deadline)")
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
        XCTAssertEqual(keys, ["k0", "k1 @1", "k2 @2", "k3 @3", "k4 @4"])
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

    /// A file of format `version` (1 or 2) as those versions wrote it, by hand: one entry
    /// [1, "k", 1, "v"] (value length 1, no deadline flag), and, in version 2, a change section
    /// holding one SET record.
    private func oldSnapshot(version: UInt32) -> [UInt8] {
        func block(_ payload: [UInt8], entries: Int) -> [UInt8] {
            var block = [UInt8](repeating: 0, count: 16) + payload
            let crc = payload.withUnsafeBytes { CRC32C.checksum($0) }
            block.withUnsafeMutableBytes {
                SnapshotFormat.writeBlockHeader(to: $0.baseAddress!, entryCount: entries, payloadCount: payload.count, payloadCRC: crc)
            }
            return block
        }
        let marker = block([], entries: 0)
        var trailer = [UInt8](repeating: 0, count: 16)
        trailer.withUnsafeMutableBytes { SnapshotFormat.writeTrailer(to: $0.baseAddress!, keyCount: 1) }
        let header = FileHeader.encode(size: 64, magic: SnapshotFormat.magic, version: version, checksumOffset: 60) {
            LittleEndian.store64(7, $0 + 16)
            LittleEndian.store64(1, $0 + 24)
            LittleEndian.store64(3, $0 + 32)
            if version >= 2 { LittleEndian.store64(1, $0 + 40) }
        }
        let entries = header + block([1, UInt8(ascii: "k"), 1, UInt8(ascii: "v")], entries: 1) + marker
        guard version >= 2 else { return entries + trailer }
        return entries + block(ModelRecord.set(utf8("k"), utf8("xy")).encoded, entries: 1) + marker + trailer
    }

    /// A file written by format 1 (no change section, no deadlines) still loads, its key
    /// without a deadline.
    func testVersionOneFilesStillLoad() throws {
        let directory = try makeScratchDirectory(self)
        try writeFile(directory + "/old.skv", oldSnapshot(version: 1))
        let (result, keys, changes) = try read(directory + "/old.skv")
        XCTAssertNil(result.damage)
        XCTAssertEqual(keys, ["k"])
        XCTAssertEqual(changes, [])
        XCTAssertEqual(result.header, SnapshotHeader(version: 1, createdAt: 7, keyCount: 1, logSequence: 3, changeCount: 0))
    }

    /// A file written by format 2 (changes, no deadlines) still loads: its value length is
    /// not mistaken for a version 3 one (read that way, [1, "v"] would be an empty value
    /// with a deadline missing).
    func testVersionTwoFilesStillLoad() throws {
        let directory = try makeScratchDirectory(self)
        try writeFile(directory + "/old.skv", oldSnapshot(version: 2))
        var values: [[UInt8]] = []
        var deadlines: [Int64] = []
        let result = try SnapshotReader.read(path: directory + "/old.skv", { _, value, deadline in
            values.append(Array(value))
            deadlines.append(deadline)
        }, change: { XCTAssertEqual(ModelRecord($0), .set(utf8("k"), utf8("xy"))) })
        XCTAssertNil(result.damage)
        XCTAssertEqual(values, [utf8("v")])
        XCTAssertEqual(deadlines, [0])
        XCTAssertEqual(result.changes, 1)
        XCTAssertEqual(result.header, SnapshotHeader(version: 2, createdAt: 7, keyCount: 1, logSequence: 3, changeCount: 1))
    }

    /// The same bytes under a version 3 header are damage, not a key: the header's version
    /// decides the entry layout.
    func testVersionTwoEntriesUnderAVersionThreeHeaderAreDamage() throws {
        let directory = try makeScratchDirectory(self)
        var bytes = oldSnapshot(version: 2)
        bytes[8] = 3
        bytes.withUnsafeMutableBytes { FileHeader.seal($0, checksumOffset: 60) }
        try writeFile(directory + "/bad.skv", bytes)
        let (result, keys, _) = try read(directory + "/bad.skv")
        XCTAssertEqual(result.damage, SnapshotDamage(offset: 64, reason: "block entries do not match the block header"))
        XCTAssertEqual(keys, [])
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
