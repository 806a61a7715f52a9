import Foundation
import SkipKVIndex
import SkipKVKeys
import XCTest
import SkipKVTestSupport

/// Expiry deadlines in the B-skiplist: what expired means for every operation, the deadline
/// index staying exact, and a stress run of writers and an expiry cycle against a per-key
/// model. Time moves only through the index's `ExpiryClock.advance`.
final class DeadlineTests: XCTestCase {
    private static func key(_ i: Int) -> [UInt8] { bytes(String(format: "key:%05d", i)) }
    private func key(_ i: Int) -> [UInt8] { Self.key(i) }

    private func put(_ index: BSkipList, _ key: [UInt8], _ value: [UInt8], deadline: DeadlineChange,
                     condition: PutCondition = .always) -> PutOutcome {
        key.withUnsafeBytes { k in value.withUnsafeBytes { index.put(k, $0, condition: condition, deadline: deadline).outcome } }
    }

    private func deadline(_ index: BSkipList, _ key: [UInt8]) -> Int64? {
        key.withUnsafeBytes { index.withEntry(forKey: $0) { _, deadline in deadline } }
    }

    func testAnExpiredKeyIsAbsentForEveryOperation() throws {
        let index = BSkipList(nodeBytes: 256, clock: ExpiryClock(standingAt: 1_700_000_000_000))
        let now = index.clock.now()
        for i in 0..<200 {
            // Every third key expires 1 s from now, the others never; values short and long.
            let value = Array(repeating: UInt8(i & 0xFF), count: i % 2 == 0 ? 4 : 40)
            XCTAssertEqual(put(index, key(i), value, deadline: .set(i % 3 == 0 ? now + 1000 : 0)), .inserted)
        }
        XCTAssertEqual(index.count(in: .all), 200)
        XCTAssertEqual(deadline(index, key(3)), now + 1000)
        index.clock.advance(by: 1000)
        XCTAssertEqual(index.get(key(0)), Array(repeating: 0, count: 4), "still there at its deadline")
        index.clock.advance(by: 1)
        XCTAssertNil(index.get(key(0)))
        XCTAssertFalse(key(3).withUnsafeBytes { index.contains($0) })
        XCTAssertEqual(index.count(in: .all), 133)
        var seen: [[UInt8]] = []
        index.forEach(in: .all, reverse: false, offset: 10, limit: 5) { k, _ in seen.append(Array(k)); return true }
        XCTAssertEqual(seen, [16, 17, 19, 20, 22].map(key), "expired keys neither count against the offset nor appear")
        seen = []
        index.forEach(in: .all, reverse: true, offset: 2, limit: 3) { k, _ in seen.append(Array(k)); return true }
        XCTAssertEqual(seen, [196, 194, 193].map(key))
        XCTAssertEqual(put(index, key(6), bytes("new"), deadline: .keep, condition: .ifAbsent), .inserted,
                       "an expired key counts as absent, and KEEPTTL keeps no old deadline")
        XCTAssertEqual(deadline(index, key(6)), 0)
        XCTAssertEqual(put(index, key(9), bytes("x"), deadline: .clear, condition: .ifPresent), .skipped)
        let incremented = key(12).withUnsafeBytes { k in
            index.updateWithDeadline(k) { current, deadline -> (UpdateAction, Bool) in
                (.store(bytes("1")), current == nil && deadline == 0)
            }
        }
        XCTAssertTrue(incremented.0, "the body saw the expired key as absent")
        XCTAssertEqual(incremented.deadline, 0)
        XCTAssertEqual(key(15).withUnsafeBytes { index.removeEntry($0) }, .expired)
        XCTAssertEqual(key(16).withUnsafeBytes { index.removeEntry($0) }, .removed)
        XCTAssertEqual(index.removeAll(in: .all), 200 - 66 - 1 + 2 - 1, "only live keys are counted")
        try index.checkInvariants()
        try index.checkDeadlineIndex()
        XCTAssertEqual(index.deadlines?.count, 0)
    }

    func testDeadlinesChangeLayoutAndFollowTheirKeys() throws {
        let index = BSkipList(nodeBytes: 256, clock: ExpiryClock(standingAt: 1_700_000_000_000))
        let empty = index.bytesInUse
        let now = index.clock.now()
        for i in 0..<300 { _ = put(index, key(i), Array(repeating: 7, count: i % 20), deadline: .clear) }
        for i in stride(from: 0, to: 300, by: 2) {
            key(i).withUnsafeBytes { k in
                _ = index.updateWithDeadline(k) { _, _ in (UpdateAction.setDeadline(now + Int64(i) + 10), ()) }
            }
        }
        try index.checkInvariants()
        try index.checkDeadlineIndex()
        for i in 0..<300 {
            XCTAssertEqual(index.get(key(i)), Array(repeating: 7, count: i % 20), "key \(i) kept its value")
            XCTAssertEqual(deadline(index, key(i)), i % 2 == 0 ? now + Int64(i) + 10 : 0)
        }
        // Persist half of them again, then let the clock pass every remaining deadline.
        for i in stride(from: 0, to: 300, by: 4) {
            key(i).withUnsafeBytes { k in _ = index.updateWithDeadline(k) { _, _ in (UpdateAction.setDeadline(0), ()) } }
        }
        try index.checkDeadlineIndex()
        XCTAssertEqual(index.deadlines?.count, 75)
        index.clock.advance(by: 1000)
        var due: [([UInt8], Int64)] = []
        var examined = 0
        index.collectExpired(now: index.clock.now(), nodes: -1, examined: &examined) { due.append((Array($0), $1)) }
        XCTAssertEqual(due.count, 75, "every expired key, found through the nodes that hold them")
        XCTAssertEqual(examined, 75)
        for (k, d) in due { XCTAssertTrue(k.withUnsafeBytes { index.expire($0, deadline: d, now: index.clock.now()) }) }
        XCTAssertEqual(index.count, 225)
        XCTAssertEqual(index.deadlines?.count, 0)
        try index.checkDeadlineIndex()
        XCTAssertEqual(index.removeAll(in: .all), 225)
        XCTAssertEqual(index.bytesInUse, empty, "every value block, key block and index entry was freed")
    }

    /// One thread, random writes and expiry steps on small nodes (so they split and merge),
    /// the deadline index checked after every step.
    func testRandomWritesKeepTheDeadlineIndexExact() throws {
        let seed = testSeed("DeadlineTests.testRandomWritesKeepTheDeadlineIndexExact")
        var random = SeededRandom(seed: seed)
        let index = BSkipList(nodeBytes: 256, clock: ExpiryClock(standingAt: 1_700_000_000_000))
        for step in 0..<4000 {
            let k = key(Int.random(in: 0..<300, using: &random))
            let now = index.clock.now()
            let ttl: Int64 = Bool.random(using: &random) ? 0 : now + Int64.random(in: 1...40, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0, 1: _ = put(index, k, Array(repeating: 1, count: Int.random(in: 0...20, using: &random)), deadline: .set(ttl))
            case 2: _ = k.withUnsafeBytes { index.updateWithDeadline($0) { c, _ in (c == nil ? UpdateAction.keep : .setDeadline(ttl), ()) } }
            case 3: _ = k.withUnsafeBytes { index.removeEntry($0) }
            case 4: _ = k.withUnsafeBytes { index.updateWithDeadline($0) { c, _ in (UpdateAction.store((c.map(Array.init) ?? []) + [2]), ()) } }
            default:
                index.clock.advance(by: Int64.random(in: 0...5, using: &random))
                var due: [([UInt8], Int64)] = []
                var examined = 0
                index.collectExpired(now: index.clock.now(), nodes: 3, examined: &examined) { due.append((Array($0), $1)) }
                for (k, d) in due {
                    XCTAssertTrue(k.withUnsafeBytes { index.expire($0, deadline: d, now: index.clock.now()) }, "step \(step), seed \(seed)")
                }
            }
            do {
                try index.checkDeadlineIndex()
            } catch {
                XCTFail("step \(step) (seed \(seed)): \(error)")
                return
            }
        }
        try index.checkInvariants()
    }

    /// Writers change values and deadlines of a few hundred keys (splitting and merging small
    /// nodes) while an expiry cycle removes what is due and the clock moves; every write to a key holds that key's lock (as the
    /// server's stripes do), and records its result in a per-key model under it. At the end the
    /// index must equal the model and the deadline index must be exact.
    func testWritersAndTheExpiryCycleAgainstAModel() throws {
        let seed = testSeed("DeadlineTests.testWritersAndTheExpiryCycleAgainstAModel")
        let index = BSkipList(nodeBytes: 256, clock: ExpiryClock(standingAt: 1_700_000_000_000))
        let keys = 400
        let locks = (0..<keys).map { _ in NSLock() }
        // The model: value and deadline per key (nil: absent), under the key's lock.
        let model = ModelBox(count: keys)
        // Writers hold it shared for an operation, the cycle exclusively to move the clock, so a
        // writer's model judges expiry at the same time the index does.
        let time = TimeLock()
        let base = index.clock.now()
        let writers = (0..<3).map { thread in
            Thread {
                var random = SeededRandom(seed: seed &+ UInt64(thread))
                for _ in 0..<20_000 {
                    let i = Int.random(in: 0..<keys, using: &random)
                    let k = Self.key(i)
                    time.lockShared()
                    let now = index.clock.now()
                    locks[i].lock()
                    switch Int.random(in: 0..<5, using: &random) {
                    case 0, 1:
                        let value = Array(repeating: UInt8(i & 0xFF), count: Int.random(in: 0...24, using: &random))
                        let ttl: Int64 = Bool.random(using: &random) ? 0 : now + Int64.random(in: 1...50, using: &random)
                        let (_, d) = k.withUnsafeBytes { kk in value.withUnsafeBytes { index.put(kk, $0, condition: .always, deadline: .set(ttl)) } }
                        model.set(i, (value, d))
                    case 2:
                        let ttl: Int64 = Bool.random(using: &random) ? 0 : now + Int64.random(in: 1...50, using: &random)
                        let (_, d) = k.withUnsafeBytes { kk in
                            index.updateWithDeadline(kk) { current, _ in (current == nil ? UpdateAction.keep : .setDeadline(ttl), ()) }
                        }
                        // An expired key stays as it is (absent for commands, there for the cycle).
                        if let entry = model.get(i), entry.deadline == 0 || entry.deadline >= now { model.set(i, (entry.value, d)) }
                    case 3:
                        _ = k.withUnsafeBytes { index.removeEntry($0) }
                        model.set(i, nil)
                    default:
                        let (_, d) = k.withUnsafeBytes { kk in
                            index.updateWithDeadline(kk) { current, _ in
                                (UpdateAction.store((current.map(Array.init) ?? []) + [1]), ())
                            }
                        }
                        let live = model.get(i).flatMap { $0.deadline == 0 || $0.deadline >= now ? $0 : nil }
                        model.set(i, ((live?.value ?? []) + [1], d))
                    }
                    locks[i].unlock()
                    time.unlock()
                }
            }
        }
        for writer in writers { writer.start() }
        var expired = 0
        while writers.contains(where: { !$0.isFinished }) {
            usleep(20)
            time.lockExclusive()
            index.clock.advance(by: 1)
            time.unlock()
            let now = index.clock.now()
            var due: [([UInt8], Int64)] = []
            var examined = 0
            index.collectExpired(now: now, nodes: 8, examined: &examined) { due.append((Array($0), $1)) }
            for (k, d) in due {
                let i = Int(String(decoding: k.dropFirst(4), as: UTF8.self))!
                locks[i].lock()
                if k.withUnsafeBytes({ index.expire($0, deadline: d, now: now) }) {
                    XCTAssertEqual(model.get(i)?.deadline, d, "the cycle removed key \(i) at its indexed deadline only")
                    model.set(i, nil)
                    expired += 1
                }
                locks[i].unlock()
            }
        }
        XCTAssertGreaterThan(expired, 0, "the cycle expired keys (seed \(seed))")
        try index.checkInvariants()
        try index.checkDeadlineIndex()
        let now = index.clock.now()
        for i in 0..<keys {
            let expected = model.get(i).flatMap { $0.deadline == 0 || $0.deadline >= now ? $0 : nil }
            let actual = key(i).withUnsafeBytes { index.withEntry(forKey: $0) { (Array($0), $1) } }
            XCTAssertEqual(actual?.0, expected?.value, "key \(i) (seed \(seed), base \(base))")
            XCTAssertEqual(actual?.1, expected?.deadline, "key \(i)'s deadline (seed \(seed))")
        }
    }
}

/// Per-key model entries in raw storage: each slot is touched only under its key's lock, and
/// distinct slots of one Swift array would still be one variable to the exclusivity checks.
private final class ModelBox: @unchecked Sendable {
    private let entries: UnsafeMutablePointer<(value: [UInt8], deadline: Int64)?>
    private let count: Int
    init(count: Int) {
        self.count = count
        entries = .allocate(capacity: count)
        entries.initialize(repeating: nil, count: count)
    }
    deinit {
        entries.deinitialize(count: count)
        entries.deallocate()
    }
    func get(_ i: Int) -> (value: [UInt8], deadline: Int64)? { entries[i] }
    func set(_ i: Int, _ entry: (value: [UInt8], deadline: Int64)?) { entries[i] = entry }
}

private final class TimeLock: @unchecked Sendable {
    private var lock = pthread_rwlock_t()
    init() { pthread_rwlock_init(&lock, nil) }
    deinit { pthread_rwlock_destroy(&lock) }
    func lockShared() { pthread_rwlock_rdlock(&lock) }
    func lockExclusive() { pthread_rwlock_wrlock(&lock) }
    func unlock() { pthread_rwlock_unlock(&lock) }
}
