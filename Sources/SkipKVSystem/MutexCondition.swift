#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex with one condition variable: the log writer's hand-offs with the loop
/// threads, the snapshot change capture, the benchmark's start gate and progress counters, and
/// `Locked`. pthread primitives, not `Synchronization.Mutex`, so that ThreadSanitizer sees them
/// (see `Locked`). The condition waits on CLOCK_MONOTONIC, so timed waits ignore changes to the
/// wall clock.
///
/// Concurrency contract: any thread; `wait` and `broadcast` only while holding the lock. The
/// lock is not recursive. `lock`, `unlock` and `withLock` are inlinable: the log writer takes
/// this lock on every logged write.
public final class MutexCondition: @unchecked Sendable {
    @usableFromInline let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    @usableFromInline let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    @inlinable @inline(__always) public func lock() { pthread_mutex_lock(mutex) }
    @inlinable @inline(__always) public func unlock() { pthread_mutex_unlock(mutex) }

    @inlinable
    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Wakes every waiter; call with the lock held.
    @inlinable
    public func broadcast() { pthread_cond_broadcast(condition) }

    /// Waits until woken (or spuriously); the lock is held again on return.
    @inlinable
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits until woken or `milliseconds` passed.
    public func wait(milliseconds: Int) {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let nanoseconds = Int(deadline.tv_nsec) + (milliseconds % 1000) * 1_000_000
        deadline.tv_sec += milliseconds / 1000 + nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000
        pthread_cond_timedwait(condition, mutex, &deadline)
    }
}
