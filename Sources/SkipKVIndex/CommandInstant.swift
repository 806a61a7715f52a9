#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The instant one command runs at, as far as expiry is concerned: every deadline a command
/// compares (a GET, each key of an MGET, each leaf of a RANGE, every command of an EXEC) is
/// compared with the same time, read once on first use, as Redis's `call()` fixes the time of
/// a command and of the commands EXEC runs inside it. Without it, keys sharing one deadline
/// could be seen half expired by one MGET, or a key could expire between two commands of one
/// transaction.
///
/// Concurrency contract: one per event-loop thread, owned by that thread (`ExpiryClock.attach`
/// makes it the thread's); only that thread reads or writes it. Outside `begin`…`end` (the
/// active expiry cycle, lazy expiry after a command) the clock reads real time.
public struct CommandInstant {
    @usableFromInline var serial: UInt64 = 0
    @usableFromInline var running = false
    @usableFromInline var pinnedSerial: UInt64 = .max
    @usableFromInline var pinned: Int64 = 0

    public init() {}

    /// A command starts: the next clock read fixes its time.
    @inlinable
    public mutating func begin() {
        serial &+= 1
        running = true
    }

    @inlinable
    public mutating func end() {
        running = false
    }

    /// Whether the running command's time was read already.
    var isPinned: Bool { pinnedSerial == serial }

    /// Fixes the running command's time.
    mutating func pin(_ time: Int64) {
        pinned = time
        pinnedSerial = serial
    }
}
