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
}
