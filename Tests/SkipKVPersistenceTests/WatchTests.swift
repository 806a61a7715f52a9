import XCTest
import SkipKVIndex
import SkipKVKeys
import SkipKVStore
@testable import SkipKVPersistence
import SkipKVTestSupport

/// WATCH and WATCHRANGE as the write path sees them: which writes make EXEC's check fail
/// (`KeyspaceTransaction.watchesBroken`), with Redis's rules for keys that had already
/// expired when they were watched (multi.c: touchWatchedKey, isWatchedKeyExpired).
final class WatchTests: XCTestCase {
    private let clock = ExpiryClock(standingAt: 1_700_000_000_000)
    private lazy var journal = JournaledKeyspace(Keyspace(shards: 2, nodeBytes: 256, clock: clock))

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func watch(_ keys: String..., by watcher: Watcher) {
        for key in keys { bytes(key).withUnsafeBytes { journal.watch($0, by: watcher) } }
    }

    private func watchRange(_ low: String, _ high: String, by watcher: Watcher) {
        journal.watch(range: KeyRange(lower: .inclusive(bytes(low)), upper: .exclusive(bytes(high))), by: watcher)
    }

    /// EXEC's check, holding what EXEC holds.
    private func broken(_ watcher: Watcher) -> Bool {
        var transaction = journal.begin(journal.stripes(watchedBy: watcher))
        let broken = transaction.watchesBroken(watcher)
        var lsn: UInt64 = 0
        journal.commit(&transaction, lsn: &lsn)
        return broken
    }

    private func setExpiring(_ key: String, at deadline: Int64) {
        var lsn: UInt64 = 0
        bytes(key).withUnsafeBytes { k in _ = journal.put(k, k, deadline: .set(deadline), lsn: &lsn) }
    }

    func testWriteToAWatchedKeyBreaksTheWatch() {
        let watcher = Watcher()
        journal.set(bytes("a"), bytes("1"))
        watch("a", "b", "c", by: watcher)
        XCTAssertFalse(watcher.isDirty)
        journal.set(bytes("b"), bytes("2"))
        XCTAssertTrue(broken(watcher))
        // EXEC dropped the watches: later writes change nothing.
        journal.set(bytes("a"), bytes("3"))
        XCTAssertFalse(watcher.isDirty)
        XCTAssertFalse(broken(watcher))
    }

    func testWritesToOtherKeysAndMissingDeletesDoNot() {
        let watcher = Watcher()
        watch("a", by: watcher)
        journal.set(bytes("ab"), bytes("1"))
        journal.set(bytes("b"), bytes("1"))
        journal.delete(bytes("a"))  // absent: no change
        XCTAssertFalse(broken(watcher))
    }

    func testEveryKindOfWriteCounts() {
        for write in ["update", "delete", "expire", "rangedel", "flushall", "transaction"] {
            let watcher = Watcher()
            journal.set(bytes("k"), bytes("1"))
            watch("k", by: watcher)
            var lsn: UInt64 = 0
            bytes("k").withUnsafeBytes { k in
                switch write {
                case "update": journal.append(bytes("k"), bytes("x"))
                case "delete": journal.delete(bytes("k"))
                case "expire":
                    journal.updateWithDeadline(k, lsn: &lsn) { _, _ in (.setDeadline(clock.now() + 10_000), ()) }
                case "rangedel": journal.removeAll(in: KeyRange(lower: .inclusive(bytes("j")), upper: .inclusive(bytes("l"))), lsn: &lsn)
                case "flushall": journal.removeAll(lsn: &lsn)
                default: journal.withKeys([k], lsn: &lsn) { $0.put(k, k, deadline: 0) }
                }
            }
            XCTAssertTrue(broken(watcher), write)
            journal.removeAll(lsn: &lsn)
        }
    }

    func testUnwatchForgetsEverything() {
        let watcher = Watcher()
        watch("a", by: watcher)
        watchRange("m", "n", by: watcher)
        journal.set(bytes("a"), bytes("1"))
        XCTAssertTrue(watcher.isDirty)
        journal.unwatchAll(watcher)
        XCTAssertFalse(watcher.isDirty)
        journal.set(bytes("a"), bytes("2"))
        journal.set(bytes("m1"), bytes("2"))
        XCTAssertFalse(watcher.isDirty)
        XCTAssertTrue(journal.watches.rangeWatches.isEmpty)
        XCTAssertTrue((0..<64).allSatisfy { journal.watches.keyWatches[$0].isEmpty })
    }

    /// A key live at WATCH that expires before EXEC fails it, removed or not.
    func testExpiryOfALiveWatchedKeyBreaksTheWatch() {
        for removed in [false, true] {
            let watcher = Watcher()
            setExpiring("k", at: clock.now() + 100)
            watch("k", by: watcher)
            clock.advance(by: 101)
            if removed {
                var lsn: UInt64 = 0
                _ = bytes("k").withUnsafeBytes { journal.expire($0, deadline: clock.now() - 1, now: clock.now(), lsn: &lsn) }
            }
            XCTAssertTrue(broken(watcher), "removed: \(removed)")
            var lsn: UInt64 = 0
            journal.removeAll(lsn: &lsn)
        }
    }

    /// Redis's "WATCH stale keys should not fail EXEC", "Delete WATCHed stale keys…",
    /// "FLUSHDB while watching stale keys…": a key already expired at WATCH is absent, and
    /// removing it is no change; creating it is one.
    func testStaleKeysFollowRedisRules() {
        for step in ["nothing", "expire", "delete", "flushall", "set"] {
            let watcher = Watcher()
            let deadline = clock.now() + 1
            setExpiring("k", at: deadline)
            clock.advance(by: 2)
            watch("k", by: watcher)
            var lsn: UInt64 = 0
            switch step {
            case "expire": _ = bytes("k").withUnsafeBytes { journal.expire($0, deadline: deadline, now: clock.now(), lsn: &lsn) }
            case "delete": journal.delete(bytes("k"))
            case "flushall": journal.removeAll(lsn: &lsn)
            case "set": journal.set(bytes("k"), bytes("v"))
            default: break
            }
            XCTAssertEqual(broken(watcher), step == "set", step)
            journal.removeAll(lsn: &lsn)
        }
    }

    /// Two clients watching one stale key: FLUSHALL removes it once, which is no change for
    /// either of them (Redis's touchAllWatchedKeysInDb).
    func testFlushallOfAStaleKeyWatchedTwiceBreaksNeither() {
        setExpiring("k", at: clock.now() + 1)
        clock.advance(by: 2)
        let first = Watcher(), second = Watcher()
        watch("k", by: first)
        watch("k", by: second)
        var lsn: UInt64 = 0
        journal.removeAll(lsn: &lsn)
        XCTAssertFalse(broken(first))
        XCTAssertFalse(broken(second))
    }

    func testRangeWatchSeesWritesInsideOnly() {
        var lsn: UInt64 = 0
        for (key, inside) in [("user:42:a", true), ("user:42;", false), ("user:42", false), ("user:43:a", false), ("user:42:", true)] {
            let watcher = Watcher()
            watchRange("user:42:", "user:42;", by: watcher)
            journal.set(bytes(key), bytes("1"))
            XCTAssertEqual(broken(watcher), inside, key)
            journal.removeAll(lsn: &lsn)
        }
        // Removals: a DEL inside, a RANGEDEL overlapping with keys in the common part, one
        // whose common part is empty of keys, and a FLUSHALL of an empty keyspace.
        journal.set(bytes("user:42:a"), bytes("1"))
        journal.set(bytes("user:50"), bytes("1"))
        let cases: [(String, Bool, () -> Void)] = [
            ("del inside", true, { self.journal.delete(self.bytes("user:42:a")) }),
            ("rangedel elsewhere", false, {
                self.journal.removeAll(in: KeyRange(lower: .inclusive(self.bytes("user:45")), upper: .unbounded), lsn: &lsn) }),
            ("rangedel across", true, {
                self.journal.removeAll(in: KeyRange(lower: .inclusive(self.bytes("user:40")), upper: .unbounded), lsn: &lsn) }),
        ]
        for (name, breaks, write) in cases {
            journal.set(bytes("user:42:a"), bytes("1"))
            journal.set(bytes("user:50"), bytes("1"))
            let watcher = Watcher()
            watchRange("user:42:", "user:42;", by: watcher)
            write()
            XCTAssertEqual(broken(watcher), breaks, name)
        }
    }

    func testRangeWatchSeesExpiryOfKeysLiveAtWatch() {
        var lsn: UInt64 = 0
        // Expired before the WATCHRANGE, then removed: no change.
        setExpiring("r:stale", at: clock.now() + 1)
        clock.advance(by: 5)
        let watcher = Watcher()
        watchRange("r:", "r;", by: watcher)
        bytes("r:stale").withUnsafeBytes { _ = journal.remove($0, lsn: &lsn) }
        XCTAssertFalse(broken(watcher))
        // Live at the WATCHRANGE, expired since (not removed): a change.
        setExpiring("r:live", at: clock.now() + 10)
        let second = Watcher()
        watchRange("r:", "r;", by: second)
        clock.advance(by: 20)
        XCTAssertTrue(broken(second))
    }
}
