import Foundation
import XCTest
import SkipKVIndex
import SkipKVKeys
import SkipKVStore
@testable import SkipKVPersistence
import SkipKVTestSupport

/// Transactions (`JournaledKeyspace.begin`/`commit`) against readers that take no lock
/// (`consistentRead`), from several threads at once: bank transfers between accounts whose
/// total must never be seen to change, read both key by key and by range scans; and
/// transactions over disjoint keys that run side by side. Run under ThreadSanitizer too
/// (scripts/test.sh).
final class TransactionIsolationTests: XCTestCase {
    private static let accounts = 32
    private static let initial = 1000

    private static func key(_ account: Int) -> [UInt8] { Array(String(format: "acct:%04d", account).utf8) }

    private func makeBank() -> JournaledKeyspace {
        let journal = JournaledKeyspace(Keyspace(shards: 4, nodeBytes: 256))
        for account in 0..<Self.accounts { journal.set(Self.key(account), Array(String(Self.initial).utf8)) }
        return journal
    }

    private static func amount(_ bytes: UnsafeRawBufferPointer?) -> Int {
        bytes.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
    }

    /// Moves `amount` from one account to another in one transaction.
    private static func transfer(_ journal: JournaledKeyspace, _ from: Int, _ to: Int, _ amount: Int) {
        let source = key(from), destination = key(to)
        source.withUnsafeBytes { s in
            destination.withUnsafeBytes { d in
                var lsn: UInt64 = 0
                var transaction = journal.begin(journal.stripes(of: [s, d]))
                for (account, delta) in [(s, -amount), (d, amount)] {
                    transaction.updateWithDeadline(account) { current, _ -> (UpdateAction, Void) in
                        (.store(Array(String(Self.amount(current) + delta).utf8)), ())
                    }
                }
                journal.commit(&transaction, lsn: &lsn)
            }
        }
    }

    func testReadersNeverSeeHalfATransfer() {
        let seed = testSeed(#function)
        let journal = makeBank()
        let total = Self.accounts * Self.initial
        let keys = (0..<Self.accounts).map(Self.key)
        let done = ManagedFlag()
        let violations = Counter()
        let group = DispatchGroup()
        let writers = DispatchGroup()
        for writer in 0..<2 {
            writers.enter()
            DispatchQueue.global().async {
                var random = SeededRandom(seed: seed &+ UInt64(writer))
                for _ in 0..<4000 {
                    let from = Int(random.next() % UInt64(Self.accounts))
                    let to = (from + 1 + Int(random.next() % UInt64(Self.accounts - 1))) % Self.accounts
                    Self.transfer(journal, from, to, Int(random.next() % 50))
                }
                writers.leave()
            }
        }
        // Point readers: every account, validated against all their stripes at once (MGET).
        group.enter()
        DispatchQueue.global().async {
            var stripes = StripeSet()
            for key in keys { key.withUnsafeBytes { stripes.insert(stripe: journal.stripe(of: $0)) } }
            while !done.isSet {
                var sum = 0
                journal.consistentRead({ stripes }, retry: { sum = 0 }) {
                    for key in keys { sum += key.withUnsafeBytes { journal.keyspace.withValue(forKey: $0) { Self.amount($0) } } ?? 0 }
                }
                if sum != total { violations.add() }
            }
            group.leave()
        }
        // Range readers: one scan over the accounts, validated against every stripe (RANGE).
        group.enter()
        DispatchQueue.global().async {
            let range = KeyRange(lower: .inclusive(Array("acct:".utf8)), upper: .exclusive(Array("acct;".utf8)))
            while !done.isSet {
                var sum = 0
                journal.consistentRead({ .all }, retry: { sum = 0 }) {
                    journal.keyspace.forEach(in: range) { _, value in
                        sum += Self.amount(value)
                        return true
                    }
                }
                if sum != total { violations.add() }
            }
            group.leave()
        }
        writers.wait()
        done.set()
        group.wait()
        XCTAssertEqual(violations.value, 0, "readers saw a total other than \(total) (seed \(seed))")
        let final = keys.reduce(0) { sum, key in sum + (key.withUnsafeBytes { journal.keyspace.withValue(forKey: $0) { Self.amount($0) } } ?? 0) }
        XCTAssertEqual(final, total, "seed \(seed)")
    }

    /// Transactions on keys in different stripes run at once: each holds only its own
    /// stripes, so two threads each inside a transaction meet (a barrier both must reach
    /// while holding their stripes), which one global lock would deadlock.
    func testDisjointTransactionsOverlap() {
        let journal = JournaledKeyspace(Keyspace(shards: 2, nodeBytes: 256))
        // Two keys in different stripes.
        var candidates = (0..<200).map { Array("k\($0)".utf8) }
        let first = candidates.removeFirst()
        let firstStripe = first.withUnsafeBytes { journal.stripe(of: $0) }
        let second = candidates.first { key in key.withUnsafeBytes { journal.stripe(of: $0) } != firstStripe }!
        let barrier = DispatchGroup()
        barrier.enter()
        barrier.enter()
        let finished = DispatchGroup()
        for key in [first, second] {
            finished.enter()
            DispatchQueue.global().async {
                key.withUnsafeBytes { k in
                    var lsn: UInt64 = 0
                    var transaction = journal.begin(journal.stripes(of: [k]))
                    transaction.put(k, k, deadline: 0)
                    barrier.leave()
                    XCTAssertEqual(barrier.wait(timeout: .now() + 30), .success, "the other transaction could not start")
                    journal.commit(&transaction, lsn: &lsn)
                }
                finished.leave()
            }
        }
        finished.wait()
        XCTAssertEqual(contents(journal.keyspace).count, 2)
    }

    /// A transaction's writes stay invisible until it commits: a reader that finds a
    /// stripe busy waits, and one that raced a commit reads again.
    func testUncommittedWritesAreNotRead() {
        let journal = JournaledKeyspace(Keyspace(shards: 2, nodeBytes: 256))
        let key = Array("key".utf8)
        journal.set(key, Array("old".utf8))
        let inside = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            key.withUnsafeBytes { k in
                var lsn: UInt64 = 0
                var transaction = journal.begin(journal.stripes(of: [k]))
                transaction.put(k, UnsafeRawBufferPointer(start: "new", count: 3), deadline: 0)
                inside.signal()
                release.wait()
                journal.commit(&transaction, lsn: &lsn)
            }
        }
        inside.wait()
        let seen = LockedBox<[UInt8]?>(nil)
        let reader = DispatchGroup()
        reader.enter()
        DispatchQueue.global().async {
            key.withUnsafeBytes { k in
                let stripe = journal.stripe(of: k)
                journal.consistentRead({ StripeSet(bits: 1 << UInt64(stripe)) }, retry: {}) {
                    seen.value = journal.keyspace.withValue(forKey: k) { Array($0) }
                }
            }
            reader.leave()
        }
        // The reader must still be waiting for the transaction.
        XCTAssertEqual(reader.wait(timeout: .now() + 0.2), .timedOut)
        release.signal()
        reader.wait()
        XCTAssertEqual(seen.value, Array("new".utf8))
    }
}

private final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var isSet: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}

private final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
