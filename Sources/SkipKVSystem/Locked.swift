/// A value guarded by a mutex (a `MutexCondition`'s), for cold shared state: the SCAN cursor
/// table, the client registry and client names, settings, snapshot status, fault-injection
/// rules.
///
/// Why not `Synchronization.Mutex`: on Linux, ThreadSanitizer cannot see Mutex's
/// synchronization (it lives in the uninstrumented standard library), so every Mutex-guarded
/// access shows up as a race and real reports drown; pthread mutexes are intercepted by
/// ThreadSanitizer.
///
/// Concurrency contract: `withLock` may be called from any thread; the value is only ever
/// touched inside it. Not recursive: `body` must not take the same `Locked` again.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex = MutexCondition()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value.
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        mutex.lock()
        defer { mutex.unlock() }
        return try body(&value)
    }
}
