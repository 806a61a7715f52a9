import Atomics
#if canImport(Glibc)
import Glibc
#endif

/// Mutexes striped by key hash, with a version word per stripe.
///
/// The mutexes make "apply a write, then append its log record" one step per key: two writes
/// to the same key take the same stripe, so their records reach the log in the order the
/// writes took effect (and were acknowledged). A write to several keys (a transaction, MSET,
/// DEL of several keys, RENAME, RANGEDEL, FLUSHALL) holds the stripes of all its keys (every
/// stripe for a range or the whole keyspace) while it applies and logs, so no other write to
/// those keys interleaves and its one record sits at a point in the log that agrees with
/// every key it touched.
///
/// The versions let readers, who take no mutex, avoid seeing such a write half done. A
/// multi-key writer makes the version of each stripe it holds odd before its first change and
/// even again after its last (`beginExclusive` / `endExclusive`); a reader samples the
/// versions of its keys' stripes before reading (waiting, on the mutex, while one is odd) and
/// compares after (`readVersions` / `unchanged`), and reads again if they moved: a seqlock
/// per stripe. Single-key writes leave the versions alone: a read of one key sees such a
/// write entirely or not at all through the index's own node locks.
///
/// Concurrency contract: any thread. A thread holds one stripe, or the stripes of a
/// `StripeSet` taken in ascending order (`lock(_:)`), so stripes cannot deadlock. Stripes
/// are taken before any index node lock and before the log buffer's lock. A version is
/// written only by the thread holding its stripe's mutex, and is odd only while it does.
/// Memory ordering (Boehm's seqlock): the writer stores odd, then a release fence, then
/// changes the index (whose node locks are atomic read-modify-writes), then stores even with
/// release; the reader loads with acquire, reads the index, then an acquire fence, then
/// loads again. A reader that saw any of the writer's changes thus sees the odd (or a
/// later) version on its second load; one that saw the final even value sees every change.
@usableFromInline
final class KeyStripeLocks: @unchecked Sendable {
    @usableFromInline typealias Version = UnsafeAtomic<UInt64>
    @usableFromInline static let count = 64
    /// One stripe per cache line, so neighbouring stripes do not share one.
    @usableFromInline static let stride = 64
    @usableFromInline let storage: UnsafeMutableRawPointer
    /// The versions, packed (8 lines): written only by multi-key writers, so the lines stay
    /// shared in every reader's cache while single-key writers take the mutexes.
    @usableFromInline let versions: UnsafeMutablePointer<Version.Storage>
    /// How many multi-key writes have begun (word 0) and ended (word 8, the next cache
    /// line), over all stripes: equal means none is running, and a reader that saw them
    /// equal and the first unchanged after reading needs no per-stripe check at all
    /// (`quietToken`, `stillQuiet`). Range reads validate with them alone.
    @usableFromInline let activity: UnsafeMutablePointer<Version.Storage>
    @usableFromInline static let finishedWord = 8

    init() {
        precondition(MemoryLayout<pthread_mutex_t>.size <= Self.stride)
        storage = .allocate(byteCount: Self.count * Self.stride, alignment: 64)
        versions = .allocate(capacity: Self.count)
        versions.initialize(repeating: Version.Storage(0), count: Self.count)
        activity = UnsafeMutableRawPointer.allocate(byteCount: 128, alignment: 64)
            .bindMemory(to: Version.Storage.self, capacity: 16)
        activity.initialize(repeating: Version.Storage(0), count: 16)
        for index in 0..<Self.count { pthread_mutex_init(mutex(index), nil) }
    }

    deinit {
        for index in 0..<Self.count { pthread_mutex_destroy(mutex(index)) }
        storage.deallocate()
        versions.deallocate()
        activity.deallocate()
    }

    @inlinable
    func mutex(_ index: Int) -> UnsafeMutablePointer<pthread_mutex_t> {
        (storage + index * Self.stride).assumingMemoryBound(to: pthread_mutex_t.self)
    }

    /// The stripe of a key hash: its low bits (the shard choice uses the high ones).
    @inlinable
    func stripe(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) & (Self.count - 1) }

    @inlinable
    func lock(_ hash: UInt64) { pthread_mutex_lock(mutex(stripe(hash))) }

    @inlinable
    func unlock(_ hash: UInt64) { pthread_mutex_unlock(mutex(stripe(hash))) }

    @inlinable
    func lockStripe(_ index: Int) { pthread_mutex_lock(mutex(index)) }

    @inlinable
    func unlockStripe(_ index: Int) { pthread_mutex_unlock(mutex(index)) }

    /// The stripes of `set`, ascending.
    @usableFromInline
    func lock(_ set: StripeSet) { set.forEach { pthread_mutex_lock(mutex($0)) } }

    /// The stripes of `set`, descending.
    @usableFromInline
    func unlock(_ set: StripeSet) { set.forEachDescending { pthread_mutex_unlock(mutex($0)) } }

    // MARK: Versions (multi-key writers, holding the stripes of `set`)

    /// Marks the stripes of `set` as being changed by one multi-key write.
    func beginExclusive(_ set: StripeSet) {
        set.forEach { stripe in
            let current = Version(at: versions + stripe).load(ordering: .relaxed)
            assert(current & 1 == 0, "stripe \(stripe) already in a multi-key write")
            Version(at: versions + stripe).store(current &+ 1, ordering: .relaxed)
        }
        Version(at: activity).wrappingIncrement(ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
    }

    /// Ends the multi-key write `beginExclusive` started.
    func endExclusive(_ set: StripeSet) {
        set.forEach { stripe in
            let current = Version(at: versions + stripe).load(ordering: .relaxed)
            Version(at: versions + stripe).store(current &+ 1, ordering: .releasing)
        }
        Version(at: activity + Self.finishedWord).wrappingIncrement(ordering: .releasing)
    }

    // MARK: Versions (readers, holding no stripe)

    /// When no multi-key write is running: the number begun so far, the token `stillQuiet`
    /// checks after a read. Nil while one runs. Reads `finished` before `begun`: a write that
    /// began before this call and had not finished makes them differ.
    @inlinable
    func quietToken() -> UInt64? {
        let finished = Version(at: activity + Self.finishedWord).load(ordering: .acquiring)
        let begun = Version(at: activity).load(ordering: .acquiring)
        return begun == finished ? begun : nil
    }

    /// Whether no multi-key write began since `quietToken` returned `token`: then none was
    /// running at any moment of the read in between, which saw no write half done.
    @inlinable
    func stillQuiet(since token: UInt64) -> Bool {
        atomicMemoryFence(ordering: .acquiring)
        return Version(at: activity).load(ordering: .relaxed) == token
    }

    /// The sum of the versions of `set`'s stripes, once none of them is odd: the token a
    /// read is validated with. Versions only grow, so the sum is unchanged exactly when
    /// every one of them is. While a stripe is odd its writer holds the mutex, so waiting is
    /// taking and releasing it.
    @inlinable
    func readVersions(_ set: StripeSet) -> UInt64 {
        while true {
            var sum: UInt64 = 0
            var busy = -1
            set.forEach { stripe in
                let version = Version(at: versions + stripe).load(ordering: .acquiring)
                if version & 1 != 0 { busy = stripe }
                sum &+= version
            }
            if busy < 0 { return sum }
            pthread_mutex_lock(mutex(busy))
            pthread_mutex_unlock(mutex(busy))
        }
    }

    /// Whether no multi-key write touched `set` since `readVersions` returned `token`.
    @inlinable
    func unchanged(_ set: StripeSet, since token: UInt64) -> Bool {
        atomicMemoryFence(ordering: .acquiring)
        var sum: UInt64 = 0
        set.forEach { sum &+= Version(at: versions + $0).load(ordering: .relaxed) }
        return sum == token
    }
}
