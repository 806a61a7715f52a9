import XCTest
import Dispatch
@testable import SkipKVPersistence
import SkipKVDiskFormat
import SkipKVSystem

final class LogWriterTests: XCTestCase {
    /// With `always`, writers waiting for durability share fsyncs: far fewer fsyncs than
    /// records, and every acknowledged record is in the file.
    func testGroupCommitSharesFsyncsAmongConcurrentWriters() throws {
        let directory = DataDirectory()
        let writer = try LogWriter(
            directory: directory.path, baseName: "log", sequence: 1, existingBytes: 0, policy: .always,
            logger: quietLogger, onDurable: {})
        let threads = 8
        let perThread = 200
        // Real threads: concurrentPerform would run only as many as there are cores.
        let handles = (0..<threads).map { thread in
            JoinableThread {
                for index in 0..<perThread {
                    let key = Array("t\(thread)-\(index)".utf8)
                    let lsn = key.withUnsafeBytes { k in [UInt8(thread)].withUnsafeBytes { writer.appendSet(key: k, value: $0) } }
                    while !writer.isAcknowledgeable(lsn) { usleep(50) }
                }
            }
        }
        for handle in handles { handle.join() }
        writer.stop()
        let records = threads * perThread
        let syncs = writer.syncCount.load(ordering: .relaxed)
        print("group commit: \(records) records, \(syncs) fsyncs")
        XCTAssertLessThan(syncs, records * 3 / 4, "writers did not share fsyncs")
        var read = 0
        let scan = try LogSegmentReader.read(path: directory.path + "/log.1") { _ in read += 1 }
        XCTAssertNil(scan.damage)
        XCTAssertEqual(read, records)
    }

    /// Records appended before `rotate` returns are in the old segment, the rest in the new.
    func testRotationSplitsTheLogAtTheSwitch() throws {
        let directory = DataDirectory()
        let writer = try LogWriter(
            directory: directory.path, baseName: "log", sequence: 5, existingBytes: 0, policy: .no,
            logger: quietLogger, onDurable: {})
        for index in 0..<10 { _ = [UInt8(index)].withUnsafeBytes { writer.appendDelete(key: $0) } }
        XCTAssertEqual(try writer.rotate(), 6)
        for index in 10..<15 { _ = [UInt8(index)].withUnsafeBytes { writer.appendDelete(key: $0) } }
        writer.stop()
        var first: [UInt8] = []
        var second: [UInt8] = []
        _ = try LogSegmentReader.read(path: directory.path + "/log.5") { if case .delete(let key) = $0 { first.append(key[0]) } }
        _ = try LogSegmentReader.read(path: directory.path + "/log.6") { if case .delete(let key) = $0 { second.append(key[0]) } }
        XCTAssertEqual(first, Array(0..<10))
        XCTAssertEqual(second, Array(10..<15))
    }

    /// `everysec` acknowledges once the record is written to the OS (so a crash of the
    /// process loses nothing acknowledged) and fsyncs about once a second.
    func testEverysecAcknowledgesAfterTheWriteAndFsyncsLater() throws {
        let directory = DataDirectory()
        let writer = try LogWriter(
            directory: directory.path, baseName: "log", sequence: 1, existingBytes: 0, policy: .everysec,
            logger: quietLogger, onDurable: {})
        let lsn = [UInt8(1)].withUnsafeBytes { writer.appendDelete(key: $0) }
        XCTAssertFalse(writer.acknowledgesAfterFsync)
        XCTAssertTrue(writer.writeToOperatingSystem())
        XCTAssertTrue(writer.isAcknowledgeable(lsn))
        XCTAssertEqual(fileSize(directory.path + "/log.1"), LogFormat.headerSize + LogRecordEncoder.deleteSize(keyCount: 1))
        let deadline = Date().addingTimeInterval(5)
        while writer.durableLSN.load(ordering: .relaxed) < lsn && Date() < deadline { usleep(10_000) }
        XCTAssertGreaterThanOrEqual(writer.durableLSN.load(ordering: .relaxed), lsn, "everysec never fsynced")
        writer.stop()
    }

    /// CONFIG SET appendfsync always while written records wait for their once-a-second
    /// fsync: the writer fsyncs them at once, since replies now wait for it.
    func testSwitchingToAlwaysFsyncsWhatIsWrittenAtOnce() throws {
        let directory = DataDirectory()
        let writer = try LogWriter(
            directory: directory.path, baseName: "log", sequence: 1, existingBytes: 0, policy: .everysec,
            logger: quietLogger, onDurable: {})
        let lsn = [UInt8(7)].withUnsafeBytes { writer.appendDelete(key: $0) }
        XCTAssertTrue(writer.writeToOperatingSystem())
        writer.fsyncPolicy = .always
        XCTAssertFalse(writer.isAcknowledgeable(lsn) && writer.durableLSN.load(ordering: .relaxed) < lsn)
        let deadline = Date().addingTimeInterval(0.5)
        while !writer.isAcknowledgeable(lsn) && Date() < deadline { usleep(1000) }
        XCTAssertTrue(writer.isAcknowledgeable(lsn), "the switch to always left written records unsynced")
        writer.stop()
    }

    /// The records that carry deadlines go through the same buffer as SET and DEL: each LSN
    /// is where its record ends, and the segment reads back in append order.
    func testExpiringRecordsAppendLikeTheOthers() throws {
        let directory = DataDirectory()
        let writer = try LogWriter(
            directory: directory.path, baseName: "log", sequence: 1, existingBytes: 0, policy: .no,
            logger: quietLogger, onDurable: {})
        let key: [UInt8] = Array("k".utf8)
        let value: [UInt8] = Array("value".utf8)
        let lsns = key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in
                [
                    writer.appendSet(key: k, value: v),
                    writer.appendSetExpiring(key: k, value: v, deadline: 1_700_000_000_000),
                    writer.appendExpire(key: k, deadline: Int64.max),
                    writer.appendExpire(key: k, deadline: 0),
                    writer.appendDelete(key: k),
                ]
            }
        }
        let sizes = [
            LogRecordEncoder.setSize(keyCount: 1, valueCount: 5), LogRecordEncoder.setExpiringSize(keyCount: 1, valueCount: 5),
            LogRecordEncoder.expireSize(keyCount: 1), LogRecordEncoder.expireSize(keyCount: 1),
            LogRecordEncoder.deleteSize(keyCount: 1),
        ]
        XCTAssertEqual(lsns, sizes.indices.map { UInt64(sizes[...$0].reduce(0, +)) })
        writer.stop()
        XCTAssertEqual(try describe(segment: directory.path + "/log.1"), [
            "set k value", "setex k value 1700000000000", "expire k 9223372036854775807", "expire k 0", "delete k",
        ])
    }

    /// A snapshot's change capture records them too, and the snapshot's change section gives
    /// them back in order.
    func testChangeCaptureRecordsExpiringChanges() throws {
        let directory = DataDirectory()
        let capture = ChangeCapture()
        let key: [UInt8] = Array("k".utf8)
        let value: [UInt8] = Array("v".utf8)
        key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in
                capture.recordSetExpiring(key: k, value: v, deadline: 1)
                capture.recordExpire(key: k, deadline: 0)
                capture.recordSet(key: k, value: v)
                capture.recordExpire(key: k, deadline: 42)
                capture.recordDelete(key: k)
            }
        }
        XCTAssertEqual(capture.byteCount, LogRecordEncoder.setExpiringSize(keyCount: 1, valueCount: 1)
            + 2 * LogRecordEncoder.expireSize(keyCount: 1) + LogRecordEncoder.setSize(keyCount: 1, valueCount: 1)
            + LogRecordEncoder.deleteSize(keyCount: 1))
        let writer = try SnapshotWriter(directory: directory.path, fileName: "s.snap", logSequence: 0, createdAt: 0)
        try capture.withRecords { try writer.appendChanges($0, count: $1) }
        XCTAssertEqual(try writer.commit().changes, 5)
        var changes: [String] = []
        let result = try SnapshotReader.read(path: directory.path + "/s.snap", { _, _, _ in XCTFail("no entries") }) {
            changes.append(describe($0))
        }
        XCTAssertNil(result.damage)
        XCTAssertEqual(changes, ["setex k v 1", "expire k 0", "set k v", "expire k 42", "delete k"])
    }

    private func describe(segment path: String) throws -> [String] {
        var records: [String] = []
        let scan = try LogSegmentReader.read(path: path) { records.append(describe($0)) }
        XCTAssertNil(scan.damage)
        return records
    }

    private func describe(_ entry: LogEntry) -> String {
        func text(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }
        switch entry {
        case let .set(key, value): return "set \(text(key)) \(text(value))"
        case let .setExpiring(key, value, deadline): return "setex \(text(key)) \(text(value)) \(deadline)"
        case let .expire(key, deadline): return "expire \(text(key)) \(deadline)"
        case let .delete(key): return "delete \(text(key))"
        case .rangeDelete, .flushAll, .batch: return "other"
        }
    }
}
