#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex plus condition variable, heap-allocated so it never moves.
final class Lock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        mutex.initialize(to: pthread_mutex_t())
        cond.initialize(to: pthread_cond_t())
        precondition(pthread_mutex_init(mutex, nil) == 0)
        precondition(pthread_cond_init(cond, nil) == 0)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    @inline(__always)
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits on the condition; call only inside `withLock`.
    func wait() { pthread_cond_wait(cond, mutex) }

    /// Wakes all waiters; call inside `withLock`.
    func broadcast() { pthread_cond_broadcast(cond) }
}

/// A one-shot gate: threads block in `pass()` until `open()`.
final class StartGate: @unchecked Sendable {
    private let lock = Lock()
    private var isOpen = false

    func pass() {
        lock.withLock { while !isOpen { lock.wait() } }
    }

    func open() {
        lock.withLock {
            isOpen = true
            lock.broadcast()
        }
    }
}

/// A real OS thread running one closure, joined explicitly.
struct JoinableThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    #if canImport(Glibc)
    private let id: pthread_t
    #else
    private let id: pthread_t?
    #endif

    init(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        #if canImport(Glibc)
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        #else
        var tid: pthread_t?
        let rc = pthread_create(&tid, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
            return nil
        }, context)
        #endif
        precondition(rc == 0, "pthread_create failed: \(rc)")
        id = tid
    }

    func join() {
        #if canImport(Glibc)
        pthread_join(id, nil)
        #else
        pthread_join(id!, nil)
        #endif
    }
}

/// Sleeps the calling thread.
func sleepNanos(_ nanos: UInt64) {
    var req = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
    var rem = timespec()
    while nanosleep(&req, &rem) != 0 && errno == EINTR { req = rem }
}
