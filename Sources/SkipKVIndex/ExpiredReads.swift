import Atomics

/// Expired keys that a read found before the active cycle removed them, for the server to
/// remove right after the command that read them (Redis's lazy expiry): memory comes back at
/// once and `expired_keys` counts them, as Redis counts its lazy deletions. Reads never
/// remove anything themselves: they hold only shared locks, and a removal must be logged
/// under the key's stripe, which the server's expiry step takes.
///
/// Concurrency contract: `note` may be called from any thread (under a leaf's shared lock:
/// it takes only its own spin lock, the innermost lock, held for one append); `take` from
/// any thread. The `pendingFlag` is a relaxed hint, set after an append and cleared before the
/// queue is emptied, so a key noted meanwhile leaves it set; a missed key is removed by the
/// active cycle anyway.
public final class ExpiredReads: @unchecked Sendable {
    /// Guarded by `locked`.
    private var queue: [(key: [UInt8], deadline: Int64)] = []
    private let locked = ManagedAtomic<Bool>(false)
    /// Unmanaged storage: the loops read it after every command, and a managed atomic (a
    /// class) would be retained and released for each read.
    private let pending = UnsafeAtomic<Bool>.create(false)
    /// Bound on the queue: beyond it reads stop noting keys (the active cycle still removes
    /// them), so a scan over many expired keys cannot grow it without limit.
    public static let capacity = 4096

    public init() {}

    deinit { pending.destroy() }

    /// Whether keys wait to be removed, for the loops to read after every command: a value
    /// holding the flag's address, so the read is one relaxed load, without retaining this
    /// object.
    public var pendingFlag: Flag { Flag(atomic: pending) }

    public struct Flag {
        @usableFromInline let atomic: UnsafeAtomic<Bool>
        @inlinable public var isSet: Bool { atomic.load(ordering: .relaxed) }
    }

    @inline(never)
    func note(_ key: UnsafeRawBufferPointer, deadline: Int64) {
        let added = withLock { () -> Bool in
            guard queue.count < Self.capacity else { return false }
            queue.append((Array(key), deadline))
            return true
        }
        if added { pending.store(true, ordering: .relaxed) }
    }

    /// Takes every noted key.
    public func take() -> [(key: [UInt8], deadline: Int64)] {
        pending.store(false, ordering: .relaxed)
        return withLock {
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
    }

    private func withLock<R>(_ body: () -> R) -> R {
        var backoff = SpinBackoff()
        while !locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged { backoff.wait() }
        defer { locked.store(false, ordering: .releasing) }
        return body()
    }
}
