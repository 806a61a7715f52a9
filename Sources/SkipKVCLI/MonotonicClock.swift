import Glibc

/// Elapsed-time measurement and waiting, immune to wall-clock changes.
enum MonotonicClock {
    /// Seconds since an arbitrary fixed point.
    static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Sleeps for `duration` seconds (the `-i` interval).
    static func sleep(_ duration: Double) {
        guard duration > 0 else { return }
        var request = timespec(tv_sec: Int(duration), tv_nsec: Int((duration - duration.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
