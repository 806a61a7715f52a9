import Synchronization
import SkipKVIndex
import SkipKVStore
import SkipKVPersistence

/// Used memory as `maxmemory`, INFO and MEMORY STATS count it (docs/OPERATIONS.md, "Memory").
struct MemoryUsage {
    /// The keyspace's nodes, key blocks and value blocks (heap chunks), retired ones included.
    var index: Int
    /// Every client's query and reply buffers.
    var clients: Int
    /// Log records appended and not yet written to the OS.
    var logBuffer: Int
    /// The part of `index` retired and about to be freed.
    var reclaimable: Int

    /// `used_memory`.
    var total: Int { index + clients + logBuffer }

    /// What eviction brings under `maxmemory`: all but the log buffer and memory already on
    /// its way back. The log buffer is left out as Redis leaves out its AOF buffer: every
    /// eviction appends a DEL record to it, and it empties by itself as the log is written.
    var countedForEviction: Int { max(0, index - reclaimable) + clients }

    /// What decides whether commands that need memory are refused: everything but memory
    /// already on its way back, so a log buffer the disk cannot keep up with stops writes
    /// instead of evicting keys.
    var countedForWrites: Int { total - reclaimable }
}

/// The memory counters that are not the keyspace's: one per loop for its clients' buffers,
/// the log buffer as last read, the peak, and the figure at start-up.
///
/// Concurrency contract: each loop writes only its own client cell (a relaxed load and store,
/// single writer), in a cache line of its own; any thread reads them. `logBuffer` and `peak`
/// are written by loop 0's tick and by INFO/MEMORY on any loop (relaxed; the peak only grows,
/// through a compare-and-exchange loop).
final class MemoryGauge: @unchecked Sendable {
    /// The keyspace's counters (`Keyspace.memory`), unmanaged: reading them on every command
    /// must not touch reference counts (see `KeyspaceHandle`).
    private let indexBytes: Unmanaged<StripedCounter>
    private let reclaimableBytes: Unmanaged<StripedCounter>
    private let keyspace: Keyspace
    private let clientCells: UnsafeMutablePointer<Atomic<Int>>
    private let loopCount: Int
    /// Atomics per client cell: 8 × 8 bytes, one cache line per loop.
    private static let cellStride = 8
    let logBuffer = Atomic<Int>(0)
    let peak = Atomic<Int>(0)
    /// `used_memory` before any client connected or any key was loaded.
    let startup: Int

    init(keyspace: Keyspace, loops: Int) {
        self.keyspace = keyspace
        indexBytes = Unmanaged.passUnretained(keyspace.memory.inUse)
        reclaimableBytes = Unmanaged.passUnretained(keyspace.memory.awaitingReclamation)
        loopCount = loops
        clientCells = .allocate(capacity: loops * Self.cellStride)
        for i in 0..<(loops * Self.cellStride) { (clientCells + i).initialize(to: Atomic(0)) }
        startup = keyspace.memoryInUse
        peak.store(startup, ordering: .relaxed)
    }

    deinit {
        clientCells.deinitialize(count: loopCount * Self.cellStride)
        clientCells.deallocate()
    }

    /// Adds `delta` to loop `index`'s client memory. That loop's thread only.
    @inline(__always)
    func addClientMemory(_ delta: Int, loop index: Int) {
        let cell = clientCells + index * Self.cellStride
        cell.pointee.store(cell.pointee.load(ordering: .relaxed) &+ delta, ordering: .relaxed)
    }

    /// Every client's buffers, over all loops.
    @inline(__always)
    var clientMemory: Int {
        var total = 0
        for index in 0..<loopCount { total &+= clientCells[index * Self.cellStride].load(ordering: .relaxed) }
        return total
    }

    /// `used_memory`, as cheaply as it can be read: a striped sum for the keyspace, one load
    /// per loop, the cached log buffer. No lock, no walk. The check before every command.
    var total: Int {
        indexBytes._withUnsafeGuaranteedRef { $0.value } &+ clientMemory &+ logBuffer.load(ordering: .relaxed)
    }

    /// Every counter, for decisions once `total` is over the limit, and for reports.
    func measure() -> MemoryUsage {
        MemoryUsage(index: indexBytes._withUnsafeGuaranteedRef { $0.value }, clients: clientMemory,
                    logBuffer: logBuffer.load(ordering: .relaxed),
                    reclaimable: reclaimableBytes._withUnsafeGuaranteedRef { $0.value })
    }

    /// Frees what the keyspace's reclaimers can free, re-reads the log's buffered bytes (its
    /// lock, once) and a running snapshot's captured changes (which, like the log buffer,
    /// evictions would only add to), and raises the peak to the current total; returns the
    /// fresh figures. For the tick and for INFO, not for every command.
    @discardableResult
    func refresh(_ persistence: Persistence) -> MemoryUsage {
        keyspace.reclaimUnreachable()
        logBuffer.store((persistence.log?.bufferedBytes ?? 0) + persistence.journal.captureBytes, ordering: .relaxed)
        let usage = measure()
        var seen = peak.load(ordering: .relaxed)
        while usage.total > seen {
            let (exchanged, current) = peak.compareExchange(expected: seen, desired: usage.total, ordering: .relaxed)
            if exchanged { break }
            seen = current
        }
        return usage
    }
}
