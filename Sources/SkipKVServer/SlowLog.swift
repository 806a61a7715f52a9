#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// SLOWLOG: the most recent commands that ran for at least `slowlog-log-slower-than`
/// microseconds, newest first, at most `slowlog-max-len` of them, with Redis's entry fields.
///
/// Concurrency contract: shared by every loop thread. `threshold` and `maxLength` are atomics
/// written by `update` (start-up, CONFIG SET) with relaxed stores and read relaxed: a loop
/// that sees a new setting one command later is fine. The executor's only per-command cost is
/// the relaxed load of `threshold` and one comparison (`isSlow`); `entries` and `nextID` are
/// guarded by `state`'s mutex, taken only for a slow command or a SLOWLOG call.
/// Lock order: taken alone (never while holding a key stripe).
final class SlowLog: Sendable {
    /// Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING.
    static let maxArguments = 32
    static let maxArgumentBytes = 128

    struct Entry {
        let id: Int
        /// Unix seconds when recorded.
        let timestamp: Int
        let microseconds: Int
        let arguments: [[UInt8]]
        let address: String
        let clientName: String
    }

    private struct State {
        var entries: [Entry] = []
        var nextID = 0
    }

    /// Microseconds from which a command is logged; `UInt64.max` when disabled (a negative
    /// setting).
    private let threshold = Atomic<UInt64>(10_000)
    private let maxLength = Atomic<Int>(128)
    private let state = Mutex(State())

    init(_ config: ServerConfig) {
        update(config)
    }

    func update(_ config: ServerConfig) {
        threshold.store(config.slowlogLogSlowerThan < 0 ? .max : UInt64(config.slowlogLogSlowerThan), ordering: .relaxed)
        maxLength.store(config.slowlogMaxLength, ordering: .relaxed)
        let limit = config.slowlogMaxLength
        state.withLock { if $0.entries.count > limit { $0.entries.removeLast($0.entries.count - limit) } }
    }

    @inline(__always)
    func isSlow(_ microseconds: UInt64) -> Bool {
        microseconds >= threshold.load(ordering: .relaxed)
    }

    /// Records a command that `isSlow` accepted, its arguments cut as Redis cuts them: past 32,
    /// the 32nd says how many more there were; past 128 bytes, an argument ends with how many
    /// more bytes it had.
    func record(microseconds: UInt64, arguments count: Int, _ argument: (Int) -> UnsafeRawBufferPointer, address: String, clientName: String) {
        let kept = min(count, Self.maxArguments)
        var arguments: [[UInt8]] = []
        arguments.reserveCapacity(kept)
        for index in 0..<kept {
            if kept != count && index == kept - 1 {
                arguments.append(Array("... (\(count - kept + 1) more arguments)".utf8))
                continue
            }
            let bytes = argument(index)
            if bytes.count > Self.maxArgumentBytes {
                arguments.append(Array(bytes.prefix(Self.maxArgumentBytes)) + Array("... (\(bytes.count - Self.maxArgumentBytes) more bytes)".utf8))
            } else {
                arguments.append(Array(bytes))
            }
        }
        let limit = maxLength.load(ordering: .relaxed)
        let timestamp = time(nil)
        state.withLock { state in
            let entry = Entry(id: state.nextID, timestamp: timestamp, microseconds: Int(microseconds), arguments: arguments,
                              address: address, clientName: clientName)
            state.nextID += 1
            state.entries.insert(entry, at: 0)
            if state.entries.count > limit { state.entries.removeLast(state.entries.count - limit) }
        }
    }

    /// The newest `count` entries (all when nil).
    func newest(_ count: Int?) -> [Entry] {
        state.withLock { Array($0.entries.prefix(count ?? $0.entries.count)) }
    }

    var count: Int { state.withLock { $0.entries.count } }

    func reset() { state.withLock { $0.entries.removeAll() } }
}
