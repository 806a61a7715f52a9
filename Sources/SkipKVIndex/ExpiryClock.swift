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
    private let offset: ManagedAtomic<Int64>
    private let followsRealTime: Bool

    /// The real-time clock.
    public init() {
        offset = ManagedAtomic(0)
        followsRealTime = true
    }

    /// A clock that stands at `milliseconds` and moves only by `advance` (unit tests, which
    /// must not depend on how fast they run).
    public init(standingAt milliseconds: Int64) {
        offset = ManagedAtomic(milliseconds)
        followsRealTime = false
    }

    /// Unix milliseconds now, as expiry sees them: inside a command on an event loop, the
    /// command's instant (`CommandInstant`).
    /// Out of line: callers (scans, point reads of keys with deadlines) call it at most once
    /// per leaf, and inlined it made their own code heavier for keys without deadlines.
    @inline(never)
    public func now() -> Int64 {
        if let cell = pthread_getspecific(commandInstantKey) {
            let instant = cell.assumingMemoryBound(to: CommandInstant.self)
            if instant.pointee.running {
                if !instant.pointee.isPinned { instant.pointee.pin(read()) }
                return instant.pointee.pinned
            }
        }
        return read()
    }

    /// Makes `instant` the calling thread's (an event loop's, once, before its first command).
    public static func attach(_ instant: UnsafeMutablePointer<CommandInstant>) {
        pthread_setspecific(commandInstantKey, instant)
    }

    private func read() -> Int64 {
        guard followsRealTime else { return offset.load(ordering: .relaxed) }
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

    /// Until `resumeExpiry`, `now` is far before every deadline, so no key counts as expired:
    /// recovery replays a log this way, because its records were written when their keys
    /// were live (a PERSIST logged before the key's old deadline must find the key), and
    /// removes what has expired once the replay is done. Not for use while serving.
    public func suspendExpiry() {
        offset.store(Self.suspendedOffset, ordering: .relaxed)
    }

    public func resumeExpiry() {
        precondition(followsRealTime, "a standing clock has no expiry to suspend")
        offset.store(0, ordering: .relaxed)
    }

    /// Puts `now` about 146 million years before 1970, before any deadline (which is positive).
    private static let suspendedOffset = Int64.min / 2
}

/// The thread's `CommandInstant`, if it has one.
private let commandInstantKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key, nil)
    precondition(status == 0, "pthread_key_create failed: \(status)")
    return key
}()
