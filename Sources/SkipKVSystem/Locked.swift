#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex, for the store's and the server's cold shared state
/// (SCAN cursor table, client registry, settings).
///
/// Why not `Synchronization.Mutex`: on Linux, ThreadSanitizer cannot see Mutex's
/// synchronization (it lives in the uninstrumented standard library), so every Mutex-guarded
/// access shows up as a race and real reports drown; pthread mutexes are intercepted by
/// ThreadSanitizer.
///
/// Concurrency contract: `withLock` may be called from any thread; the value is only ever
/// touched inside it.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
