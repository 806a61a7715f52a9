import Synchronization

/// Counters one event loop keeps (commands per command id, connections, bytes), readable by
/// any thread for INFO.
///
/// Concurrency contract: only the owning loop thread writes, with a relaxed load and store
/// (no read-modify-write instruction needed with a single writer); other threads read with
/// relaxed loads and add the loops up. CONFIG RESETSTAT asks each loop to zero its own.
final class LoopStats: @unchecked Sendable {
    enum Counter: Int, CaseIterable {
        case commandsProcessed
        case connectionsReceived
        case rejectedConnections
        case networkInputBytes
        case networkOutputBytes
        case keyspaceHits
        case keyspaceMisses
        case errorReplies
        case evictedKeys
        case evictedClients
        case expiredKeys
        case expireCycleMicroseconds
        case expireCycleTimeCapReached
    }

    /// Per command id: calls, microseconds, rejected calls (arity, auth), failed calls
    /// (replied with an error).
    enum CommandCounter: Int, CaseIterable {
        case calls
        case microseconds
        case rejected
        case failed
    }

    private let counters: UnsafeMutablePointer<Atomic<UInt64>>
    private let commandCounters: UnsafeMutablePointer<Atomic<UInt64>>
    /// `CommandCounter.allCases.count`, as a constant: `allCases` builds an array.
    private static let countersPerCommand = 4
    private static let commandSlots = CommandTable.shared.specs.count * countersPerCommand

    init() {
        counters = .allocate(capacity: Counter.allCases.count)
        for i in 0..<Counter.allCases.count { (counters + i).initialize(to: Atomic(0)) }
        commandCounters = .allocate(capacity: Self.commandSlots)
        for i in 0..<Self.commandSlots { (commandCounters + i).initialize(to: Atomic(0)) }
    }

    deinit {
        counters.deinitialize(count: Counter.allCases.count)
        counters.deallocate()
        commandCounters.deinitialize(count: Self.commandSlots)
        commandCounters.deallocate()
    }

    /// Owner thread only.
    @inline(__always)
    func add(_ counter: Counter, _ amount: UInt64 = 1) {
        let cell = counters + counter.rawValue
        cell.pointee.store(cell.pointee.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }

    /// Owner thread only.
    @inline(__always)
    func add(_ counter: CommandCounter, for command: CommandID, _ amount: UInt64 = 1) {
        let cell = commandCounters + command.rawValue * Self.countersPerCommand + counter.rawValue
        cell.pointee.store(cell.pointee.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }

    func value(_ counter: Counter) -> UInt64 {
        counters[counter.rawValue].load(ordering: .relaxed)
    }

    func value(_ counter: CommandCounter, for command: CommandID) -> UInt64 {
        commandCounters[command.rawValue * Self.countersPerCommand + counter.rawValue].load(ordering: .relaxed)
    }

    /// Owner thread only.
    func reset() {
        for i in 0..<Counter.allCases.count { counters[i].store(0, ordering: .relaxed) }
        for i in 0..<Self.commandSlots { commandCounters[i].store(0, ordering: .relaxed) }
    }
}
