#if canImport(Glibc)
import Glibc
#endif

/// Mutexes striped by key hash that make "apply a write, then append its log record" one
/// step per key: two writes to the same key take the same stripe, so their records reach the
/// log in the order the writes took effect (and were acknowledged). Whole-keyspace writes
/// (RANGEDEL, FLUSHALL) take every stripe, in index order, which makes them a barrier: no
/// single-key write runs while they apply and log, so their one record sits at a point in
/// the log that agrees with every key they touched, whatever shard it lives in.
///
/// Concurrency contract: any thread. A thread holds one stripe, the distinct stripes of a
/// multi-key command's keys, or all of them; several are always taken in ascending order,
/// so stripes cannot deadlock. Stripes are taken before
/// any index node lock and before the log buffer's lock.
@usableFromInline
final class KeyStripeLocks: @unchecked Sendable {
    @usableFromInline static let count = 64
    /// One stripe per cache line, so neighbouring stripes do not share one.
    @usableFromInline static let stride = 64
    @usableFromInline let storage: UnsafeMutableRawPointer

    init() {
        precondition(MemoryLayout<pthread_mutex_t>.size <= Self.stride)
        storage = .allocate(byteCount: Self.count * Self.stride, alignment: 64)
        for index in 0..<Self.count { pthread_mutex_init(mutex(index), nil) }
    }

    deinit {
        for index in 0..<Self.count { pthread_mutex_destroy(mutex(index)) }
        storage.deallocate()
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

    /// One stripe by its index (multi-key writes, which take theirs in ascending order).
    func lockStripe(_ index: Int) { pthread_mutex_lock(mutex(index)) }

    func unlockStripe(_ index: Int) { pthread_mutex_unlock(mutex(index)) }

    func lockAll() {
        for index in 0..<Self.count { pthread_mutex_lock(mutex(index)) }
    }

    func unlockAll() {
        for index in (0..<Self.count).reversed() { pthread_mutex_unlock(mutex(index)) }
    }
}
