import Atomics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The time expiry deadlines are compared with: Unix milliseconds from the real-time clock
/// (deadlines are absolute, as Redis's EXPIRETIME reports them and as the log records them),
/// plus an offset that only tests move (`DEBUG ADVANCE-CLOCK`), so a test sees a key expire
/// without sleeping.
///
/// Concurrency contract: `now` may be called from any thread; the offset is one atomic read
/// with relaxed ordering (a reader that misses a concurrent advance sees the time just
/// before it, as it would had it read a moment earlier).
public final class ExpiryClock: Sendable {
    private let offset = ManagedAtomic<Int64>(0)

    public init() {}

    /// Unix milliseconds now, as expiry sees them.
    public func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) &* 1000 &+ Int64(spec.tv_nsec / 1_000_000) &+ offset.load(ordering: .relaxed)
    }

    /// Moves the clock forward by `milliseconds` (tests only).
    public func advance(by milliseconds: Int64) {
        offset.wrappingIncrement(by: milliseconds, ordering: .relaxed)
    }

    /// How far tests have moved the clock.
    public var advanced: Int64 { offset.load(ordering: .relaxed) }
}
