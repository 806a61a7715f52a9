import Synchronization
import XCTest
import SkipKVStore
@testable import SkipKVPersistence
import SkipKVKeys
import SkipKVTestSupport

/// Random writes through the journaled keyspace, checked against a dictionary model, then
/// recovered from disk into a new keyspace: the recovered contents must equal the model,
/// with snapshots taken at random points in between.
final class RecoveryModelTests: XCTestCase {
    func testRecoveryRestoresEveryWriteWithSnapshotsInBetween() throws {
        for policy in FsyncPolicy.allCases {
            let directory = DataDirectory()
            var random = SeededRandom(seed: testSeed("recovery-model-\(policy)"))
            var model: [[UInt8]: [UInt8]] = [:]
            for restart in 0..<4 {
                let persistence = try openPersistence(settings(in: directory, fsync: policy))
                XCTAssertEqual(contents(persistence.journal.keyspace), model, "policy \(policy), restart \(restart)")
                for step in 0..<1500 {
                    applyRandomWrite(persistence.journal, &model, &random)
                    if step % 500 == 499 && random.next() % 2 == 0 { try persistence.save() }
                }
                try persistence.shutdown(snapshot: random.next() % 2 == 0)
            }
            let final = try openPersistence(settings(in: directory, fsync: policy))
            XCTAssertEqual(contents(final.journal.keyspace), model, "policy \(policy)")
            try final.shutdown(snapshot: false)
        }
    }

    /// A snapshot taken while writers run is not a point-in-time image; paired with the log
    /// from its start it must still restore exactly the final state.
    func testSnapshotDuringConcurrentWritesRestoresFinalState() throws {
        let directory = DataDirectory()
        let seed = testSeed("snapshot-during-writes")
        let persistence = try openPersistence(settings(in: directory, fsync: .no))
        let writers = startWriters(4, seed: seed) { thread, random in
            for _ in 0..<20_000 {
                // Overlapping keys across threads: per-key log order must match apply order.
                let key = Array("k\(random.next() % 3000)".utf8)
                switch random.next() % 10 {
                case 0: persistence.journal.delete(key)
                case 1: persistence.journal.append(key, [UInt8(thread)])
                default: persistence.journal.set(key, Array("\(thread)-\(random.next() % 1000)".utf8))
                }
            }
        }
        for _ in 0..<3 { try persistence.save() }
        writers.wait()
        try assertRestartRestoresMemory(persistence, directory)
    }

    /// A range delete racing single-key writes into its range: after recovery every key is
    /// as in memory, whichever order the writes took.
    func testRangeDeleteRacingWritesRecoversToMemoryState() throws {
        let directory = DataDirectory()
        let seed = testSeed("rangedel-race")
        let persistence = try openPersistence(settings(in: directory, fsync: .no))
        let writers = startWriters(3, seed: seed) { _, random in
            for _ in 0..<5_000 {
                let key = Array("r\(random.next() % 500)".utf8)
                persistence.journal.set(key, [UInt8(truncatingIfNeeded: random.next())])
            }
        }
        var random = SeededRandom(seed: seed)
        for _ in 0..<60 {
            var lsn: UInt64 = 0
            let low = Array("r\(random.next() % 500)".utf8)
            persistence.journal.removeAll(in: KeyRange(lower: .inclusive(low), upper: .exclusive(Array("r4".utf8))), lsn: &lsn)
        }
        writers.wait()
        try assertRestartRestoresMemory(persistence, directory)
    }

    /// Without the log, the snapshot alone is the backup: it must load to one instant's state.
    /// A writer keeps `a:first` equal to `z:last` or one above (it sets them in that order)
    /// while snapshots scan many keys in between; a fuzzy scan would load `a:first` from
    /// before and `z:last` from long after (the 2263 against 3605).
    func testSnapshotWithoutTheLogIsPointInTime() throws {
        let directory = DataDirectory()
        let config = settings(in: directory, appendOnly: false)
        let persistence = try openPersistence(config, shards: 1)
        for index in 0..<50_000 { persistence.journal.set(Array("m:\(100_000 + index)".utf8), [UInt8(index & 0xFF)]) }
        let stop = Atomic<Bool>(false)
        let writer = startWriters(1, seed: 0) { _, _ in
            var counter = 0
            while !stop.load(ordering: .relaxed) {
                counter += 1
                persistence.journal.set(Array("a:first".utf8), Array(String(counter).utf8))
                persistence.journal.set(Array("z:last".utf8), Array(String(counter).utf8))
            }
        }
        var observed: [(Int, Int)] = []
        for _ in 0..<4 {
            try persistence.save()
            let loaded = Keyspace(shards: 1, nodeBytes: 512)
            let report = try Recovery.run(config, into: loaded, logger: quietLogger)
            let state = contents(loaded)
            let first = Int(String(decoding: state[Array("a:first".utf8)] ?? [], as: UTF8.self)) ?? 0
            let last = Int(String(decoding: state[Array("z:last".utf8)] ?? [], as: UTF8.self)) ?? 0
            XCTAssertTrue(first == last || first == last + 1, "a:first \(first), z:last \(last): a state that never existed")
            XCTAssertEqual(state.count, 50_000 + (first > 0 ? 1 : 0) + (last > 0 ? 1 : 0))
            observed.append((first, report.snapshotChanges))
        }
        stop.store(true, ordering: .relaxed)
        writer.wait()
        XCTAssertTrue(observed.contains { $0.1 > 0 }, "no snapshot captured a change during its scan: \(observed)")
        try persistence.shutdown(snapshot: false)
    }

    func testAppendOnlyOffKeepsOnlySnapshots() throws {
        let directory = DataDirectory()
        var plain = settings(in: directory, appendOnly: false)
        plain.saveRules = [SaveRule(seconds: 3600, changes: 1)]
        let first = try openPersistence(plain)
        first.journal.set([1], [1])
        try first.shutdown(snapshot: true)
        XCTAssertEqual(directory.files(), ["skipkv.snap"])
        let second = try openPersistence(plain)
        XCTAssertEqual(contents(second.journal.keyspace), [[1]: [1]])
        second.journal.set([2], [2])
        try second.shutdown(snapshot: false)
        let third = try openPersistence(plain)
        XCTAssertEqual(contents(third.journal.keyspace), [[1]: [1]], "without the log, writes after the snapshot are gone")
        try third.shutdown(snapshot: false)
    }

    func testSnapshotRemovesOnlyRedundantSegments() throws {
        let directory = DataDirectory()
        let persistence = try openPersistence(settings(in: directory))
        persistence.journal.set([1], [1])
        XCTAssertEqual(directory.files(), ["appendonly.aof.1"])
        try persistence.save()
        XCTAssertEqual(directory.files(), ["appendonly.aof.2", "skipkv.snap"])
        persistence.journal.set([2], [2])
        try persistence.shutdown(snapshot: false)
        let recovered = try openPersistence(settings(in: directory))
        XCTAssertEqual(contents(recovered.journal.keyspace), [[1]: [1], [2]: [2]])
        XCTAssertEqual(directory.files(), ["appendonly.aof.2", "appendonly.aof.3", "skipkv.snap"])
        try recovered.shutdown(snapshot: false)
    }

    /// Stops `persistence` without a final snapshot, recovers `directory` into a new keyspace,
    /// and checks it holds exactly what memory held.
    private func assertRestartRestoresMemory(_ persistence: Persistence, _ directory: DataDirectory) throws {
        let expected = contents(persistence.journal.keyspace)
        try persistence.shutdown(snapshot: false)
        let recovered = try openPersistence(settings(in: directory, fsync: .no))
        XCTAssertEqual(contents(recovered.journal.keyspace), expected)
        try recovered.shutdown(snapshot: false)
    }

    /// Runs `body(thread, random)` on `count` threads, each with its own seeded generator.
    private func startWriters(_ count: Int, seed: UInt64, _ body: @escaping @Sendable (Int, inout SeededRandom) -> Void) -> DispatchGroup {
        let group = DispatchGroup()
        for thread in 0..<count {
            group.enter()
            DispatchQueue.global().async {
                var random = SeededRandom(seed: seed &+ UInt64(thread))
                body(thread, &random)
                group.leave()
            }
        }
        return group
    }

    private func applyRandomWrite(_ journal: JournaledKeyspace, _ model: inout [[UInt8]: [UInt8]], _ random: inout SeededRandom) {
        let key = Array("key:\(random.next() % 400)".utf8)
        switch random.next() % 20 {
        case 0..<10:
            let value = (0..<Int(random.next() % 40)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            journal.set(key, value)
            model[key] = value
        case 10..<14:
            journal.delete(key)
            model[key] = nil
        case 14..<18:
            let suffix = [UInt8(truncatingIfNeeded: random.next())]
            journal.append(key, suffix)
            model[key] = (model[key] ?? []) + suffix
        case 18:
            let low = Array("key:\(random.next() % 400)".utf8)
            let high = Array("key:\(random.next() % 400)".utf8)
            var lsn: UInt64 = 0
            let range = KeyRange(lower: .inclusive(low), upper: .exclusive(high))
            journal.removeAll(in: range, lsn: &lsn)
            for existing in model.keys where range.contains(existing) { model[existing] = nil }
        default:
            if random.next() % 10 == 0 {
                var lsn: UInt64 = 0
                journal.removeAll(lsn: &lsn)
                model.removeAll()
            }
        }
    }
}
