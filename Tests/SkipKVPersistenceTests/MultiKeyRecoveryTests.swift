#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest
import SkipKVDiskFormat
import SkipKVKeys
import SkipKVStore
@testable import SkipKVPersistence
import SkipKVTestSupport

/// Two-key changes (`JournaledKeyspace.withKeys`, what RENAME and COPY use) are logged as one
/// batch record: recovery restores them whole, under concurrency and snapshots, and a crash
/// that tears the batch loses the whole command, never half of it.
final class MultiKeyRecoveryTests: XCTestCase {
    /// Moves the value of `from` to `to` as RENAME does.
    private static func rename(_ journal: JournaledKeyspace, _ from: [UInt8], _ to: [UInt8]) {
        var lsn: UInt64 = 0
        from.withUnsafeBytes { source in
            to.withUnsafeBytes { destination in
                journal.withKeys(source, destination, lsn: &lsn) { write in
                    guard let (value, _) = write.entry(source) else { return }
                    value.withUnsafeBytes { write.put(destination, $0) }
                    write.remove(source)
                }
            }
        }
    }

    /// Threads ping-pong the values of pairs between their two keys while snapshots run;
    /// memory and the recovered keyspace both hold each value under exactly one name.
    func testConcurrentRenamesRecoverWithEveryValueOnce() throws {
        let directory = DataDirectory()
        let seed = testSeed(#function)
        let pairs = 16
        let persistence = try openPersistence(settings(in: directory, fsync: .no))
        let journal = persistence.journal
        for pair in 0..<pairs { journal.set(Array("a\(pair)".utf8), Array("value\(pair)".utf8)) }
        let group = DispatchGroup()
        for thread in 0..<4 {
            group.enter()
            DispatchQueue.global().async {
                var random = SeededRandom(seed: seed &+ UInt64(thread))
                for _ in 0..<5000 {
                    let pair = random.next() % UInt64(pairs)
                    let (from, to) = random.next() % 2 == 0 ? ("a", "b") : ("b", "a")
                    Self.rename(journal, Array("\(from)\(pair)".utf8), Array("\(to)\(pair)".utf8))
                }
                group.leave()
            }
        }
        for _ in 0..<2 { try persistence.save() }
        group.wait()
        let expected = contents(journal.keyspace)
        XCTAssertEqual(Set(expected.values), Set((0..<pairs).map { Array("value\($0)".utf8) }))
        XCTAssertEqual(expected.count, pairs)
        try persistence.shutdown(snapshot: false)
        let recovered = try openPersistence(settings(in: directory, fsync: .no))
        XCTAssertEqual(contents(recovered.journal.keyspace), expected)
        try recovered.shutdown(snapshot: false)
    }

    /// The log ends in a RENAME's batch cut short: recovery drops the batch whole, so the
    /// value is under its old name only, as before the command.
    func testTornRenameIsDroppedWhole() throws {
        let directory = DataDirectory()
        let persistence = try openPersistence(settings(in: directory, fsync: .always))
        persistence.journal.set(Array("from".utf8), Array("value".utf8))
        Self.rename(persistence.journal, Array("from".utf8), Array("to".utf8))
        XCTAssertEqual(contents(persistence.journal.keyspace), [Array("to".utf8): Array("value".utf8)])
        try persistence.shutdown(snapshot: false)
        let segment = try XCTUnwrap(directory.files().filter { $0.hasPrefix("appendonly.aof.") }.last)
        let path = directory.path + "/" + segment
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        // The batch: its header and kind byte, a SET of "to", a DEL of "from".
        let batchSize = LogFormat.recordHeaderSize + 1 + LogRecordEncoder.setSize(keyCount: 2, valueCount: 5)
            + LogRecordEncoder.deleteSize(keyCount: 4)
        XCTAssertGreaterThan(size, LogFormat.headerSize + batchSize)
        // Cut inside the batch, just after its first inner record: a reader that applied inner
        // records one by one would now see "to" without the removal of "from".
        XCTAssertEqual(truncate(path, off_t(size - LogRecordEncoder.deleteSize(keyCount: 4) + 2)), 0)
        let recovered = try openPersistence(settings(in: directory, fsync: .always))
        XCTAssertEqual(contents(recovered.journal.keyspace), [Array("from".utf8): Array("value".utf8)])
        try recovered.shutdown(snapshot: false)
    }

    /// A transaction over every stripe (as EXEC with a RANGEDEL runs) logs its SETs, DELs and
    /// its RANGEDEL as one batch: recovery restores exactly its result, and a log cut inside
    /// the batch restores the state before it.
    func testTransactionWithARangeDeleteRecoversWholeOrNotAtAll() throws {
        for torn in [false, true] {
            let directory = DataDirectory()
            let persistence = try openPersistence(settings(in: directory, fsync: .always))
            let journal = persistence.journal
            for key in ["a", "b1", "b2", "c"] { journal.set(Array(key.utf8), Array("old".utf8)) }
            let before = contents(journal.keyspace)
            var lsn: UInt64 = 0
            var transaction = journal.begin(.all)
            "new".utf8.withContiguousStorageIfAvailable { value in
                let value = UnsafeRawBufferPointer(value)
                "d".utf8.withContiguousStorageIfAvailable { transaction.put(UnsafeRawBufferPointer($0), value, deadline: 0) }
                XCTAssertEqual(transaction.removeAll(in: KeyRange(lower: .inclusive(Array("b".utf8)), upper: .exclusive(Array("c".utf8)))), 2)
                "a".utf8.withContiguousStorageIfAvailable { _ = transaction.remove(UnsafeRawBufferPointer($0)) }
            }
            journal.commit(&transaction, lsn: &lsn)
            let after = contents(journal.keyspace)
            XCTAssertEqual(after, [Array("c".utf8): Array("old".utf8), Array("d".utf8): Array("new".utf8)])
            try persistence.shutdown(snapshot: false)
            if torn {
                let segment = try XCTUnwrap(directory.files().filter { $0.hasPrefix("appendonly.aof.") }.last)
                let path = directory.path + "/" + segment
                let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
                XCTAssertEqual(truncate(path, off_t(size - 3)), 0)
            }
            let recovered = try openPersistence(settings(in: directory, fsync: .always))
            XCTAssertEqual(contents(recovered.journal.keyspace), torn ? before : after, "torn: \(torn)")
            try recovered.shutdown(snapshot: false)
        }
    }
}
