import SkipKVPersistence

/// Every setting of the server, at its documented default. `config/skipkv.conf` documents
/// each field under its directive name (see `ConfigDirective.all`).
public struct ServerConfig: Sendable {
    /// Addresses to listen on (IPv4 or IPv6 literals).
    public var bind: [String] = ["127.0.0.1"]
    /// TCP port; 0 picks a free ephemeral port (announced in the log).
    public var port: Int = 7379
    /// TCP listen backlog.
    public var tcpBacklog: Int = 511
    /// Path of a Unix domain socket to listen on as well; empty for none.
    public var unixSocket: String = ""
    /// Permissions of the Unix socket file; 0 leaves them to the umask.
    public var unixSocketPerm: Int = 0
    /// Event-loop threads; 0 means one per core but one (at least one), leaving a core for
    /// the kernel's network processing, the log writer and snapshots, and clients on the
    /// same machine.
    public var ioThreads: Int = 0
    /// Number of B-skiplists the keyspace is split into.
    public var shards: Int = 1
    /// Bytes per B-skiplist node.
    public var nodeBytes: Int = 4096
    /// Most simultaneous clients; more are refused with an error.
    public var maxClients: Int = 10000
    /// Largest bulk argument a client may send.
    public var protoMaxBulkLength: Int = 512 * 1024 * 1024
    /// Longest inline command line (and `*`/`$` header line).
    public var maxInlineLength: Int = 64 * 1024
    /// Most arguments in one command.
    public var maxMultibulkLength: Int = 1024 * 1024
    /// Unsent reply bytes beyond which the server stops reading from that client until
    /// they drain; 0 for no limit.
    public var clientOutputBufferLimit: Int = 16 * 1024 * 1024
    /// Seconds of inactivity after which a client is disconnected; 0 for never.
    public var timeout: Int = 0
    /// TCP keepalive interval in seconds; 0 disables keepalive.
    public var tcpKeepalive: Int = 300
    /// Password clients must give with AUTH or HELLO; empty for none.
    public var requirePass: String = ""
    /// Run in the background.
    public var daemonize: Bool = false
    /// File to write the process id to; empty for none.
    public var pidFile: String = ""
    /// File to log to; empty for standard output.
    public var logFile: String = ""
    public var logLevel: LogVerbosity = .notice
    /// Seconds a shutdown waits for pending replies to be written before closing anyway.
    public var shutdownTimeout: Int = 10
    /// Where and how data is made durable: the data directory, the log, snapshots.
    public var persistence = PersistenceSettings()
    /// Refuse clients connecting from other addresses than 127.0.0.1 and ::1 (Unix socket
    /// clients are local) while no password is set, as Redis's `protected-mode`.
    public var protectedMode: Bool = true
    /// What SIGINT and SIGTERM do about the final snapshot, as Redis's `shutdown-on-sigint` and
    /// `shutdown-on-sigterm`: `default`, or some of `save`, `nosave`, `now`, `force`.
    public var shutdownOnSigint: String = "default"
    public var shutdownOnSigterm: String = "default"
    /// Values given to the Redis directives SkipKV accepts without acting on them
    /// (`RedisDirective`), by name, which CONFIG GET shows.
    public var redisDirectiveValues: [String: String] = [:]
    // Memory (docs/OPERATIONS.md, "Memory").
    /// Used memory beyond which `maxMemoryPolicy` applies; 0 for no limit.
    public var maxMemory: Int = 0
    /// What happens when used memory is over `maxMemory`.
    public var maxMemoryPolicy: MaxmemoryPolicy = .noEviction
    /// Keys sampled per eviction round.
    public var maxMemorySamples: Int = 5
    /// How long (0...100, Redis's scale) one eviction pass may run before the rest is left to
    /// the background.
    public var maxMemoryEvictionTenacity: Int = 10
    /// How slowly the LFU counter grows (higher: more accesses per step).
    public var lfuLogFactor: Int = 10
    /// Minutes of idleness that take 1 off a key's LFU counter; 0 never decays.
    public var lfuDecayTime: Int = 1
    // Slow log (docs/OPERATIONS.md, "Slow log").
    /// Microseconds from which a command is logged; negative disables, 0 logs every command.
    public var slowlogLogSlowerThan: Int = 10_000
    /// Entries kept.
    public var slowlogMaxLength: Int = 128
    /// Cap on the memory of all clients together; the biggest clients are closed beyond it.
    public var maxMemoryClients: ClientMemoryLimit = .bytes(0)
    // Expiry (docs/OPERATIONS.md, "Key expiry").
    /// 1...10: how much of each 100 ms tick the active expiry cycle may spend (`ActiveExpiry`).
    public var activeExpireEffort: Int = 1
    /// Who may run DEBUG: `no`, `yes`, or `local` (loopback and Unix socket clients).
    public var enableDebugCommand: DebugCommandAccess = .no

    public init() {}

    /// The number of event loops to run: `ioThreads`, or one less than the core count when 0.
    public var effectiveIOThreads: Int {
        ioThreads > 0 ? ioThreads : max(1, Machine.onlineCores - 1)
    }
}

/// Redis's four log levels, in increasing severity.
public enum LogVerbosity: String, Sendable, CaseIterable {
    case debug
    case verbose
    case notice
    case warning

    /// Position in the order above, for storing the level in an atomic.
    var rank: Int {
        switch self {
        case .debug: return 0
        case .verbose: return 1
        case .notice: return 2
        case .warning: return 3
        }
    }
}
