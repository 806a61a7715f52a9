import SkipKVPersistence

/// One configuration directive: its name (as in the config file, on the command line after
/// `--`, and in CONFIG GET/SET), whether CONFIG SET may change it while running, how to
/// parse its arguments into a `ServerConfig`, and how to show its current value.
struct ConfigDirective: Sendable {
    let name: String
    /// Whether CONFIG SET may change it at run time.
    let mutable: Bool
    /// Accepts one value, or (when true) one or more.
    let takesList: Bool
    let apply: @Sendable ([String], inout ServerConfig) throws -> Void
    let render: @Sendable (ServerConfig) -> String

    private init(
        _ name: String, mutable: Bool, takesList: Bool = false,
        apply: @escaping @Sendable ([String], inout ServerConfig) throws -> Void,
        render: @escaping @Sendable (ServerConfig) -> String
    ) {
        self.name = name
        self.mutable = mutable
        self.takesList = takesList
        self.apply = apply
        self.render = render
    }

    /// A directive with a single value.
    private init(
        _ name: String, mutable: Bool,
        set: @escaping @Sendable (String, inout ServerConfig) throws -> Void,
        get: @escaping @Sendable (ServerConfig) -> String
    ) {
        self.init(name, mutable: mutable, apply: { values, config in try set(values[0], &config) }, render: get)
    }

    static func named(_ name: String) -> ConfigDirective? {
        let lower = name.lowercased()
        return all.first { $0.name == lower }
    }

    /// Every directive, in the order `config/skipkv.conf` documents them.
    static let all: [ConfigDirective] = [
        ConfigDirective("bind", mutable: false, takesList: true,
                        apply: { values, config in config.bind = values },
                        render: { $0.bind.joined(separator: " ") }),
        ConfigDirective("port", mutable: false,
                        set: { $1.port = try ConfigValue.integer($0, in: 0...65535) },
                        get: { String($0.port) }),
        ConfigDirective("tcp-backlog", mutable: false,
                        set: { $1.tcpBacklog = try ConfigValue.integer($0, in: 1...65535) },
                        get: { String($0.tcpBacklog) }),
        ConfigDirective("unixsocket", mutable: false,
                        set: { $1.unixSocket = $0 },
                        get: { $0.unixSocket }),
        ConfigDirective("unixsocketperm", mutable: false,
                        set: { $1.unixSocketPerm = try ConfigValue.octal($0) },
                        get: { String($0.unixSocketPerm, radix: 8) }),
        ConfigDirective("io-threads", mutable: false,
                        set: { $1.ioThreads = try ConfigValue.integer($0, in: 0...128) },
                        get: { String($0.ioThreads) }),
        ConfigDirective("shards", mutable: false,
                        set: { $1.shards = try ConfigValue.integer($0, in: 1...4096) },
                        get: { String($0.shards) }),
        ConfigDirective("node-bytes", mutable: false,
                        set: { $1.nodeBytes = try ConfigValue.memory($0, in: 256...1024 * 1024) },
                        get: { String($0.nodeBytes) }),
        ConfigDirective("maxclients", mutable: true,
                        set: { $1.maxClients = try ConfigValue.integer($0, in: 1...1_000_000) },
                        get: { String($0.maxClients) }),
        ConfigDirective("proto-max-bulk-len", mutable: true,
                        set: { $1.protoMaxBulkLength = try ConfigValue.memory($0, in: 1024 * 1024...Int(Int32.max) * 4) },
                        get: { String($0.protoMaxBulkLength) }),
        ConfigDirective("max-inline-len", mutable: true,
                        set: { $1.maxInlineLength = try ConfigValue.memory($0, in: 1024...64 * 1024 * 1024) },
                        get: { String($0.maxInlineLength) }),
        ConfigDirective("max-multibulk-len", mutable: true,
                        set: { $1.maxMultibulkLength = try ConfigValue.integer($0, in: 16...Int(Int32.max)) },
                        get: { String($0.maxMultibulkLength) }),
        ConfigDirective("client-output-buffer-limit", mutable: true, takesList: true,
                        apply: { values, config in
                            if let limit = try ConfigValue.outputBufferLimit(values) { config.clientOutputBufferLimit = limit }
                        },
                        render: { String($0.clientOutputBufferLimit) }),
        ConfigDirective("timeout", mutable: true,
                        set: { $1.timeout = try ConfigValue.integer($0, in: 0...Int(Int32.max)) },
                        get: { String($0.timeout) }),
        ConfigDirective("tcp-keepalive", mutable: true,
                        set: { $1.tcpKeepalive = try ConfigValue.integer($0, in: 0...Int(Int32.max)) },
                        get: { String($0.tcpKeepalive) }),
        ConfigDirective("requirepass", mutable: true,
                        set: { $1.requirePass = $0 },
                        get: { $0.requirePass }),
        ConfigDirective("protected-mode", mutable: true,
                        set: { $1.protectedMode = try ConfigValue.boolean($0) },
                        get: { $0.protectedMode ? "yes" : "no" }),
        ConfigDirective("daemonize", mutable: false,
                        set: { $1.daemonize = try ConfigValue.boolean($0) },
                        get: { $0.daemonize ? "yes" : "no" }),
        ConfigDirective("pidfile", mutable: false,
                        set: { $1.pidFile = $0 },
                        get: { $0.pidFile }),
        ConfigDirective("logfile", mutable: false,
                        set: { $1.logFile = $0 },
                        get: { $0.logFile }),
        ConfigDirective("loglevel", mutable: true,
                        set: { $1.logLevel = try ConfigValue.choice($0, of: LogVerbosity.self) },
                        get: { $0.logLevel.rawValue }),
        ConfigDirective("shutdown-timeout", mutable: true,
                        set: { $1.shutdownTimeout = try ConfigValue.integer($0, in: 0...Int(Int32.max)) },
                        get: { String($0.shutdownTimeout) }),
        ConfigDirective("shutdown-on-sigint", mutable: true, takesList: true,
                        apply: { values, config in config.shutdownOnSigint = try ConfigValue.shutdownFlags(values) },
                        render: { $0.shutdownOnSigint }),
        ConfigDirective("shutdown-on-sigterm", mutable: true, takesList: true,
                        apply: { values, config in config.shutdownOnSigterm = try ConfigValue.shutdownFlags(values) },
                        render: { $0.shutdownOnSigterm }),
        // Persistence (docs/OPERATIONS.md, "Persistence").
        ConfigDirective("dir", mutable: false,
                        set: { $1.persistence.directory = try ConfigValue.nonEmpty($0) },
                        get: { $0.persistence.directory }),
        ConfigDirective("dbfilename", mutable: false,
                        set: { $1.persistence.snapshotFileName = try ConfigValue.fileName($0) },
                        get: { $0.persistence.snapshotFileName }),
        ConfigDirective("appendonly", mutable: false,
                        set: { $1.persistence.appendOnly = try ConfigValue.boolean($0) },
                        get: { $0.persistence.appendOnly ? "yes" : "no" }),
        ConfigDirective("appendfilename", mutable: false,
                        set: { $1.persistence.logBaseName = try ConfigValue.fileName($0) },
                        get: { $0.persistence.logBaseName }),
        ConfigDirective("appendfsync", mutable: true,
                        set: { $1.persistence.fsync = try ConfigValue.choice($0, of: FsyncPolicy.self) },
                        get: { $0.persistence.fsync.rawValue }),
        ConfigDirective("save", mutable: true, takesList: true,
                        apply: { values, config in config.persistence.saveRules = try ConfigValue.saveRules(values) },
                        render: { $0.persistence.saveRules.map { "\($0.seconds) \($0.changes)" }.joined(separator: " ") }),
        ConfigDirective("auto-aof-rewrite-percentage", mutable: true,
                        set: { $1.persistence.autoRewritePercentage = try ConfigValue.integer($0, in: 0...Int(Int32.max)) },
                        get: { String($0.persistence.autoRewritePercentage) }),
        ConfigDirective("auto-aof-rewrite-min-size", mutable: true,
                        set: { $1.persistence.autoRewriteMinSize = try ConfigValue.memory($0, in: 0...Int.max) },
                        get: { String($0.persistence.autoRewriteMinSize) }),
        ConfigDirective("aof-disk-reserve", mutable: false,
                        set: { $1.persistence.logReserveBytes = try ConfigValue.memory($0, in: 0...1024 * 1024 * 1024) },
                        get: { String($0.persistence.logReserveBytes) }),
        ConfigDirective("aof-load-truncated", mutable: false,
                        set: { $1.persistence.loadTruncated = try ConfigValue.boolean($0) },
                        get: { $0.persistence.loadTruncated ? "yes" : "no" }),
        ConfigDirective("stop-writes-on-bgsave-error", mutable: true,
                        set: { $1.persistence.stopWritesOnSnapshotError = try ConfigValue.boolean($0) },
                        get: { $0.persistence.stopWritesOnSnapshotError ? "yes" : "no" }),
        ConfigDirective("repair", mutable: false,
                        set: { $1.persistence.repair = try ConfigValue.boolean($0) },
                        get: { $0.persistence.repair ? "yes" : "no" }),
        // Memory (docs/OPERATIONS.md, "Memory").
        ConfigDirective("maxmemory", mutable: true,
                        set: { $1.maxMemory = try ConfigValue.memory($0, in: 0...Int.max) },
                        get: { String($0.maxMemory) }),
        ConfigDirective("maxmemory-policy", mutable: true,
                        set: { $1.maxMemoryPolicy = try ConfigValue.choice($0, of: MaxmemoryPolicy.self) },
                        get: { $0.maxMemoryPolicy.rawValue }),
        ConfigDirective("maxmemory-samples", mutable: true,
                        set: { $1.maxMemorySamples = try ConfigValue.integer($0, in: 1...Int(Int32.max)) },
                        get: { String($0.maxMemorySamples) }),
        ConfigDirective("maxmemory-eviction-tenacity", mutable: true,
                        set: { $1.maxMemoryEvictionTenacity = try ConfigValue.integer($0, in: 0...100) },
                        get: { String($0.maxMemoryEvictionTenacity) }),
        ConfigDirective("lfu-log-factor", mutable: true,
                        set: { $1.lfuLogFactor = try ConfigValue.integer($0, in: 0...Int(Int32.max)) },
                        get: { String($0.lfuLogFactor) }),
        ConfigDirective("lfu-decay-time", mutable: true,
                        set: { $1.lfuDecayTime = try ConfigValue.integer($0, in: 0...Int(Int32.max)) },
                        get: { String($0.lfuDecayTime) }),
        ConfigDirective("maxmemory-clients", mutable: true,
                        set: { $1.maxMemoryClients = try ClientMemoryLimit.parse($0) },
                        get: { $0.maxMemoryClients.rendered }),
        ConfigDirective("active-expire-effort", mutable: true,
                        set: { $1.activeExpireEffort = try ConfigValue.integer($0, in: 1...10) },
                        get: { String($0.activeExpireEffort) }),
        ConfigDirective("enable-debug-command", mutable: false,
                        set: { $1.enableDebugCommand = try ConfigValue.choice($0, of: DebugCommandAccess.self) },
                        get: { $0.enableDebugCommand.rawValue }),
        // Slow log (docs/OPERATIONS.md, "Slow log").
        ConfigDirective("slowlog-log-slower-than", mutable: true,
                        set: { $1.slowlogLogSlowerThan = try ConfigValue.integer($0, in: Int.min...Int.max) },
                        get: { String($0.slowlogLogSlowerThan) }),
        ConfigDirective("slowlog-max-len", mutable: true,
                        set: { $1.slowlogMaxLength = try ConfigValue.integer($0, in: 0...Int.max) },
                        get: { String($0.slowlogMaxLength) }),
    ]
}
