#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waiting policy for every spin loop of the index (node locks of both structures, the
/// reclaimer): poll briefly,
/// because the holder is usually running on another core and about to finish, then yield on
/// every further round, because with more threads than cores the holder may be descheduled and
/// spinning would only burn the time slice it needs.
@_spi(IndexInternals) public struct SpinBackoff {
    @usableFromInline var polls = 0

    @inlinable public init() {}

    @inlinable public mutating func wait() {
        if polls < 64 {
            polls += 1
        } else {
            sched_yield()
        }
    }
}
