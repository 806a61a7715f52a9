#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import SkipKVStore
import SkipKVPersistence
import SkipKVSystem

/// What every event loop shares: the keyspace, the settings, the client registry, the
/// loops themselves (for stats, hand-off and shutdown) and the
/// shutdown flag.
///
/// Concurrency contract: `loops`, `tcpPort` and `unixSocketPath` are filled in by `Server` before any loop
/// thread starts and never change afterwards; every other member is immutable or
/// thread-safe on its own.
final class ServerState: @unchecked Sendable {
    let keyspace: Keyspace
    /// The write path with its log, snapshots and recovery.
    let persistence: Persistence
    let settings: RuntimeSettings
    let log: LogOutput
    let logger: Logger
    let clients = ClientRegistry()
    let opsSampler = OpsSampler()
    /// `maxmemory` and the other memory settings, as the loops read them.
    let memoryLimits: MemoryLimits
    /// SLOWLOG's entries and settings, shared by every loop.
    let slowLog: SlowLog
    /// Used memory besides the keyspace's own counters (docs/OPERATIONS.md, "Memory").
    let memoryGauge: MemoryGauge
    /// Monotonic milliseconds at startup.
    let startedAt: UInt64
    /// 40 hex digits identifying this run, as Redis's `run_id`.
    let runID: String
    /// The TCP port actually listened on.
    var tcpPort = 0
    /// The Unix socket listened on, if any.
    var unixSocketPath = ""
    private(set) var loops: [EventLoop] = []
    let shutdownRequested = Atomic<Bool>(false)
    /// Whether the loops run the active expiry cycle (DEBUG SET-ACTIVE-EXPIRE turns it off).
    let activeExpireEnabled = Atomic<Bool>(true)
    /// The number of event loops.
    let loopCount: Int
    /// What SHUTDOWN asked about the final snapshot.
    let shutdownSnapshot = Atomic<Int>(ShutdownSnapshot.asConfigured.rawValue)

    init(config: ServerConfig, log: LogOutput, logger: Logger) {
        keyspace = Keyspace(shards: config.shards, nodeBytes: config.nodeBytes)
        memoryLimits = MemoryLimits(config, keyspace: keyspace)
        slowLog = SlowLog(config)
        memoryGauge = MemoryGauge(keyspace: keyspace, loops: config.effectiveIOThreads)
        loopCount = config.effectiveIOThreads
        // Loops are created after this; the closure finds them through the state.
        let loopsBox = LoopsBox()
        persistence = Persistence(keyspace: keyspace, settings: config.persistence, logger: logger) {
            for loop in loopsBox.loops { loop.wakeForDurability() }
        }
        self.loopsBox = loopsBox
        settings = RuntimeSettings(config)
        self.log = log
        self.logger = logger
        startedAt = monotonicMilliseconds()
        runID = (0..<40).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
    }

    private let loopsBox: LoopsBox

    func setLoops(_ loops: [EventLoop]) {
        self.loops = loops
        loopsBox.loops = loops
    }

    /// Starts a clean shutdown: every loop stops accepting, flushes pending replies and
    /// closes its connections. Idempotent; callable from any thread.
    func requestShutdown() {
        guard !shutdownRequested.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for loop in loops { loop.wake() }
    }

    /// Adds up one counter over all loops.
    func total(_ counter: LoopStats.Counter) -> UInt64 {
        loops.reduce(0) { $0 &+ $1.stats.value(counter) }
    }

    func total(_ counter: LoopStats.CommandCounter, for command: CommandID) -> UInt64 {
        loops.reduce(0) { $0 &+ $1.stats.value(counter, for: command) }
    }
}

/// The loops, for the log writer thread's durability callback, which is made before they
/// exist. Written once by `setLoops` before any loop or persistence thread starts.
private final class LoopsBox: @unchecked Sendable {
    var loops: [EventLoop] = []
}

/// SHUTDOWN's choice about the final snapshot.
enum ShutdownSnapshot: Int {
    /// Snapshot when `save` rules are configured (SIGTERM, plain SHUTDOWN).
    case asConfigured
    case save
    case noSave

    /// The choice of `shutdown-on-sigint` / `shutdown-on-sigterm` flags; `now` and `force`
    /// change nothing, as for SHUTDOWN.
    init(signalFlags: String) {
        let flags = signalFlags.split(separator: " ")
        self = flags.contains("save") ? .save : flags.contains("nosave") ? .noSave : .asConfigured
    }
}
