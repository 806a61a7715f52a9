#if canImport(Glibc)
import Glibc
#endif
import CLibUV
import Synchronization
import SkipKVProtocol
import SkipKVIndex
import SkipKVPersistence
import SkipKVSystem

/// One libuv event loop on its own thread, owning the connections it serves and running
/// their commands to completion (see docs/ARCHITECTURE.md for why no worker pool).
///
/// Concurrency contract: everything here is used only on the loop's own thread, except
/// `wake()` (uv_async_send, which libuv makes thread-safe), `handOff` (its inbox is a mutex),
/// `requestStatsReset` (an atomic flag), `stats` (see `LoopStats`) and the `let`s, which
/// never change. Handles are created on the starting thread before the loop thread exists,
/// which `pthread_create` orders before the loop's first use of them.
final class EventLoop: @unchecked Sendable {
    let index: Int
    let uvLoop: UnsafeMutablePointer<uv_loop_t>
    unowned(unsafe) let server: ServerState
    let keyspace: KeyspaceHandle
    /// `server.settings`, unmanaged for the per-read checks (see `KeyspaceHandle` for why).
    private let settingsReference: Unmanaged<RuntimeSettings>
    let stats = LoopStats()
    /// Evicts keys when memory is over `maxmemory` (`EventLoop+Memory`).
    let evictor: Evictor
    /// Runs `evictor` on every iteration while it has more to evict in the background.
    let evictionIdle: UnsafeMutablePointer<uv_idle_t>
    /// Removes expired keys (`EventLoop+Expiry`).
    let activeExpiry: ActiveExpiry
    /// Runs `activeExpiry` on every iteration while it is behind.
    let expiryIdle: UnsafeMutablePointer<uv_idle_t>
    /// `server.keyspace.expiredReads` (`EventLoop+Expiry`), and its flag, checked after
    /// every command.
    unowned(unsafe) let expiredReads: ExpiredReads
    let expiredReadsPending: ExpiredReads.Flag
    /// Scratch space for replies whose element count is known only at the end (RANGE,
    /// KEYS, SCAN): elements go here, then the header and these bytes to the connection.
    let scratch: UnsafeMutablePointer<ReplyWriter>
    private let wakeup: UnsafeMutablePointer<uv_async_t>
    private let ticker: UnsafeMutablePointer<uv_timer_t>
    /// Runs after each round of I/O callbacks: writes the log records this round appended,
    /// then sends the replies that waited for them (`everysec`, `no`).
    private let afterIO: UnsafeMutablePointer<uv_check_t>
    /// Listening sockets this loop accepts on, with their poll handles.
    var listeners: [(listener: Listener, poll: UnsafeMutablePointer<uv_poll_t>)] = []
    /// Handles of this loop other than connections (signals), closed at shutdown.
    var extraHandles: [UnsafeMutablePointer<uv_handle_t>] = []
    /// Sockets accepted by another loop for this one to serve.
    private let inbox = Locked<[(descriptor: Int32, kind: Listener.Kind)]>([])
    private let statsResetRequested = Atomic<Bool>(false)
    private let killsRequested = Atomic<Bool>(false)
    /// The loop's connections, a doubly linked list through `Connection.previous/next`.
    var firstConnection: UnsafeMutablePointer<Connection>?
    var connectionCount = 0
    /// Round-robin position for handing accepted sockets to loops.
    var nextLoopForHandOff = 0
    var shuttingDown = false
    /// `uv_now` after which a shutdown stops waiting for replies to drain.
    var shutdownDeadline: UInt64 = 0
    private var ticks: UInt64 = 0
    private var thread: JoinableThread?

    /// Where the keyspace handle leaves the LSN of the record the current command appended.
    let commandLSN: UnsafeMutablePointer<UInt64>
    /// The transaction EXEC is running on this loop (nil otherwise): the keyspace handle
    /// sends every write through it.
    let transaction: UnsafeMutablePointer<KeyspaceTransaction?>
    /// The time the running command compares expiry deadlines with (attached to the thread).
    let commandInstant: UnsafeMutablePointer<CommandInstant>
    /// The arguments of the queued command EXEC is running.
    let queuedArguments: UnsafeMutablePointer<CommandArguments>
    /// `server.persistence`, unmanaged for the per-command checks.
    let persistence: Unmanaged<Persistence>
    /// Whether this loop has seen the loading phase end (after which it never looks again).
    var loaded = false
    /// The log, once loading ended (nil when `appendonly no`).
    var logWriter: Unmanaged<LogWriter>?
    /// Connections whose replies wait for their log records to become durable.
    var durabilityWaiters: [UnsafeMutablePointer<Connection>] = []
    private let durabilityAdvanced = Atomic<Bool>(false)

    init(index: Int, server: ServerState) {
        self.index = index
        self.server = server
        commandLSN = .allocate(capacity: 1)
        commandLSN.initialize(to: 0)
        transaction = .allocate(capacity: 1)
        transaction.initialize(to: nil)
        commandInstant = .allocate(capacity: 1)
        commandInstant.initialize(to: CommandInstant())
        queuedArguments = .allocate(capacity: 1)
        queuedArguments.initialize(to: CommandArguments())
        persistence = Unmanaged.passUnretained(server.persistence)
        keyspace = KeyspaceHandle(
            reference: Unmanaged.passUnretained(server.keyspace),
            journal: Unmanaged.passUnretained(server.persistence.journal), lastLSN: commandLSN, transaction: transaction)
        settingsReference = Unmanaged.passUnretained(server.settings)
        evictor = Evictor(limits: server.memoryLimits, gauge: server.memoryGauge, keyspace: server.keyspace,
                          journal: server.persistence.journal, stats: stats)
        expiredReads = server.keyspace.expiredReads
        expiredReadsPending = server.keyspace.expiredReads.pendingFlag
        activeExpiry = ActiveExpiry(loop: index, loops: server.loopCount, keyspace: server.keyspace,
                                    journal: server.persistence.journal, stats: stats)
        uvLoop = .allocate(capacity: 1)
        uv_loop_init(uvLoop)
        scratch = .allocate(capacity: 1)
        scratch.initialize(to: ReplyWriter(version: .resp2, initialCapacity: 4096))
        wakeup = .allocate(capacity: 1)
        ticker = .allocate(capacity: 1)
        evictionIdle = .allocate(capacity: 1)
        expiryIdle = .allocate(capacity: 1)
        afterIO = .allocate(capacity: 1)
        uvLoop.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        uv_async_init(uvLoop, wakeup) { handle in
            EventLoop.of(handle!.pointee.loop).handleWakeup()
        }
        uv_check_init(uvLoop, afterIO)
        uv_check_start(afterIO) { handle in
            EventLoop.of(handle!.pointee.loop).writeLogForWaitingReplies()
        }
        uv_idle_init(uvLoop, evictionIdle)
        extraHandles.append(UnsafeMutablePointer(OpaquePointer(evictionIdle)))
        uv_idle_init(uvLoop, expiryIdle)
        extraHandles.append(UnsafeMutablePointer(OpaquePointer(expiryIdle)))
        uv_timer_init(uvLoop, ticker)
        uv_timer_start(ticker, { handle in
            EventLoop.of(handle!.pointee.loop).tick()
        }, EventLoop.tickMilliseconds, EventLoop.tickMilliseconds)
    }

    deinit {
        uv_loop_close(uvLoop)
        uvLoop.deallocate()
        scratch.deinitialize(count: 1)
        scratch.deallocate()
        commandLSN.deallocate()
        transaction.deinitialize(count: 1)
        transaction.deallocate()
        queuedArguments.deinitialize(count: 1)
        queuedArguments.deallocate()
        commandInstant.deallocate()
        wakeup.deallocate()
        ticker.deallocate()
        afterIO.deallocate()
        evictionIdle.deallocate()
        expiryIdle.deallocate()
    }

    static let tickMilliseconds: UInt64 = 100

    /// The loop a libuv loop pointer belongs to.
    @inline(__always)
    static func of(_ loop: UnsafeMutablePointer<uv_loop_t>!) -> EventLoop {
        Unmanaged<EventLoop>.fromOpaque(loop.pointee.data).takeUnretainedValue()
    }

    @inline(__always)
    func withSettings<R>(_ body: (RuntimeSettings) -> R) -> R {
        settingsReference._withUnsafeGuaranteedRef(body)
    }

    /// The loop's cached clock, in milliseconds.
    var now: UInt64 { uv_now(uvLoop) }

    // MARK: Thread

    func start() {
        thread = JoinableThread { [self] in
            ExpiryClock.attach(commandInstant)
            uv_run(uvLoop, UV_RUN_DEFAULT)
        }
    }

    /// Waits for the loop thread to finish (after shutdown).
    func join() {
        thread?.join()
        thread = nil
    }

    // MARK: Cross-thread requests

    /// Makes the loop run `handleWakeup` soon. Any thread.
    func wake() {
        uv_async_send(wakeup)
    }

    /// Gives this loop an accepted socket to serve. Any thread.
    func handOff(_ descriptor: Int32, kind: Listener.Kind) {
        inbox.withLock { $0.append((descriptor, kind)) }
        wake()
    }

    /// Whether loading has ended; the first time it sees that, the loop picks up the log the
    /// recovery started (published by the release store that ended loading).
    func checkLoaded() -> Bool {
        let persistence = persistence.takeUnretainedValue()
        guard !persistence.loading.load(ordering: .acquiring) else { return false }
        logWriter = persistence.log.map { Unmanaged.passUnretained($0) }
        loaded = true
        return true
    }

    /// Tells the loop that more log records became durable, so waiting replies may go out.
    /// Any thread (the log writer's).
    func wakeForDurability() {
        if !durabilityAdvanced.exchange(true, ordering: .relaxed) { wake() }
    }

    /// Asks the loop to zero its counters (CONFIG RESETSTAT). Any thread.
    func requestStatsReset() {
        statsResetRequested.store(true, ordering: .relaxed)
        wake()
    }

    /// Asks the loop to close its connections whose client has `killRequested` set
    /// (CLIENT KILL). Any thread.
    func requestKills() {
        killsRequested.store(true, ordering: .releasing)
        wake()
    }

    private func handleWakeup() {
        let arrivals = inbox.withLock { inbox -> [(descriptor: Int32, kind: Listener.Kind)] in
            defer { inbox.removeAll() }
            return inbox
        }
        for arrival in arrivals { adopt(arrival.descriptor, kind: arrival.kind) }
        if statsResetRequested.exchange(false, ordering: .relaxed) { stats.reset() }
        if killsRequested.exchange(false, ordering: .acquiring) { closeKilledConnections() }
        if durabilityAdvanced.exchange(false, ordering: .relaxed) { releaseDurableReplies() }
        if server.shutdownRequested.load(ordering: .acquiring) && !shuttingDown { beginShutdown() }
    }

    // MARK: Periodic work

    private func tick() {
        ticks += 1
        if index == 0 {
            server.opsSampler.record(totalCommands: server.total(.commandsProcessed), now: now)
            if !shuttingDown { server.persistence.tick() }
            memoryTick()
        }
        if shuttingDown {
            if now >= shutdownDeadline { closeAllConnections() }
            return
        }
        if ticks % 10 == 0 { closeIdleConnections() }
        expiryTick()
    }

    private func closeKilledConnections() {
        var cursor = firstConnection
        while let connection = cursor {
            cursor = connection.pointee.next
            if connection.pointee.client.killRequested.load(ordering: .relaxed) {
                server.logger.debug("closing client id=\(connection.pointee.client.id): CLIENT KILL")
                close(connection)
            }
        }
    }

    private func closeIdleConnections() {
        let timeout = UInt64(server.settings.timeoutSeconds.load(ordering: .relaxed))
        guard timeout > 0 else { return }
        let limit = timeout * 1000
        var cursor = firstConnection
        while let connection = cursor {
            cursor = connection.pointee.next
            if now &- connection.pointee.lastInteraction > limit && !connection.pointee.writeInFlight {
                server.logger.debug("closing idle client id=\(connection.pointee.client.id)")
                close(connection)
            }
        }
    }

    // MARK: Shutdown

    /// Stops accepting and lets every connection finish writing what it owes, then closes
    /// the loop's handles so `uv_run` returns.
    private func beginShutdown() {
        shuttingDown = true
        shutdownDeadline = now + UInt64(server.settings.shutdownTimeout.load(ordering: .relaxed)) * 1000
        for (listener, poll) in listeners {
            uv_close(UnsafeMutablePointer(OpaquePointer(poll))) { handle in
                UnsafeMutablePointer<uv_poll_t>(OpaquePointer(handle!)).deallocate()
            }
            Glibc.close(listener.descriptor)
        }
        listeners.removeAll()
        var cursor = firstConnection
        while let connection = cursor {
            cursor = connection.pointee.next
            endInput(connection)
        }
        finishShutdownIfIdle()
    }

    private func closeAllConnections() {
        var cursor = firstConnection
        while let connection = cursor {
            cursor = connection.pointee.next
            close(connection)
        }
    }

    /// Once the last connection is gone, closes the remaining handles; `uv_run` then returns.
    func finishShutdownIfIdle() {
        guard shuttingDown, connectionCount == 0, uv_is_closing(UnsafeMutablePointer(OpaquePointer(wakeup))) == 0 else { return }
        uv_close(UnsafeMutablePointer(OpaquePointer(wakeup)), nil)
        uv_close(UnsafeMutablePointer(OpaquePointer(ticker)), nil)
        uv_close(UnsafeMutablePointer(OpaquePointer(afterIO)), nil)
        for handle in extraHandles { uv_close(handle, nil) }
        // Sockets handed over after the shutdown began are simply dropped.
        for arrival in inbox.withLock({ $0 }) {
            Glibc.close(arrival.descriptor)
            server.clients.release()
        }
    }
}
