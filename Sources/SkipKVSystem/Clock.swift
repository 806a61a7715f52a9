#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Time for every module: CLOCK_MONOTONIC (the clock `uv_now` also uses; a vDSO call on Linux,
// no system call) for durations and deadlines, immune to wall-clock changes; CLOCK_REALTIME
// only where a date is meant. The monotonic readers are inlinable: the server times every
// command and the benchmark every operation.

/// CLOCK_MONOTONIC in nanoseconds since an arbitrary fixed point.
@inlinable @inline(__always)
public func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(truncatingIfNeeded: now.tv_sec) &* 1_000_000_000 &+ UInt64(truncatingIfNeeded: now.tv_nsec)
}

/// CLOCK_MONOTONIC in microseconds, for command timing.
@inlinable @inline(__always)
public func monotonicMicroseconds() -> UInt64 {
    monotonicNanoseconds() / 1000
}

/// CLOCK_MONOTONIC in milliseconds.
@inlinable
public func monotonicMilliseconds() -> UInt64 {
    monotonicNanoseconds() / 1_000_000
}

/// CLOCK_MONOTONIC in seconds, for elapsed times shown to people.
public func monotonicSeconds() -> Double {
    Double(monotonicNanoseconds()) / 1e9
}

/// CLOCK_REALTIME in milliseconds since the Unix epoch.
public func unixMilliseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
}

/// Sleeps the calling thread for `nanoseconds`, sleeping on after a signal interrupts it.
public func sleep(nanoseconds: UInt64) {
    var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

/// Sleeps the calling thread for `seconds` (nothing when not positive).
public func sleep(seconds: Double) {
    guard seconds > 0 else { return }
    sleep(nanoseconds: UInt64(seconds * 1e9))
}
