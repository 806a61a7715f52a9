/// What SkipKV does with each directive of Redis 7's configuration (every name
/// `redis-server`'s `CONFIG GET *` lists, and the file-only `include`, `loadmodule`,
/// `rename-command` and `user` of redis.conf) that is not one of its own: an operator's
/// redis.conf must start SkipKV, and every line of it must either work or say that it does
/// not.
///
/// The classification, stated once here (its rendering is the table in docs/OPERATIONS.md,
/// "Redis configuration files"):
/// - implemented: the names of `ConfigDirective.all`, plus `include` (the loader);
/// - ignored: accepted, with one logged warning naming the reason; CONFIG GET shows the value
///   given (or `value` until one is) and CONFIG SET stores a new one, as tools that set and
///   read back a Redis setting expect;
/// - refused: start-up stops with a message naming the directive, because going on without it
///   would weaken the data's safety (durability, replicas, access control or encryption the
///   operator counts on). Only values that ask for something SkipKV cannot do are refused:
///   the values in `harmless` (Redis's "off" setting) are accepted silently, since they ask
///   for nothing SkipKV does not already do.
///
/// `maxmemory`, `maxmemory-policy`, `maxmemory-samples`, `maxmemory-eviction-tenacity`,
/// `maxmemory-clients`, `lfu-log-factor` and `lfu-decay-time` come with the memory ceiling and
/// are not classified here.
struct RedisDirective: Sendable {
    enum Treatment: Sendable {
        case ignored(reason: String)
        case refused(harmless: [String], reason: String)
    }

    let name: String
    /// Redis's other names for the same setting (`slave-*` for `replica-*`, `*-ziplist-*` for
    /// `*-listpack-*`), sharing its value.
    let aliases: [String]
    /// What CONFIG GET shows until a value is given: Redis's default, or SkipKV's actual
    /// setting where it has one (`databases`). Nil for directives of the config file only,
    /// which CONFIG GET and SET do not know (as in Redis).
    let value: String?
    /// Whether Redis's CONFIG SET may change it at run time.
    let mutable: Bool
    let treatment: Treatment

    private init(_ name: String, aliases: [String] = [], _ value: String?, mutable: Bool = true, _ treatment: Treatment) {
        self.name = name
        self.aliases = aliases
        self.value = value
        self.mutable = mutable
        self.treatment = treatment
    }

    static func named(_ name: String) -> RedisDirective? {
        let lower = name.lowercased()
        return all.first { $0.name == lower || $0.aliases.contains(lower) }
    }

    /// Takes `values` for this directive (written as `written`, possibly an alias, in
    /// `source`) into `config`, for CONFIG GET, or throws why they are refused. Returns the
    /// warning to log when the directive is ignored.
    func accept(_ values: [String], as written: String, source: String, into config: inout ServerConfig) throws -> String? {
        let warning: String?
        switch treatment {
        case .ignored(let reason):
            warning = "Redis directive '\(written)' (\(source)) has no effect in SkipKV: \(reason)"
        case .refused(let harmless, let reason):
            guard harmless.contains(values.joined(separator: " ").lowercased()) else {
                let allowed = harmless.map { $0.isEmpty ? "\"\"" : "'\($0)'" }.joined(separator: " or ")
                throw ConfigValueError("'\(written)' is not supported by SkipKV: \(reason)\(harmless.isEmpty ? "" : " (only \(allowed) is accepted)")")
            }
            warning = nil
        }
        if value != nil { config.redisDirectiveValues[name] = values.joined(separator: " ") }
        return warning
    }

    // Reasons shared by several directives.
    private static let replication = ignored("SkipKV has no replication")
    private static let cluster = ignored("SkipKV has no cluster mode")
    private static let tls = ignored("SkipKV has no TLS (see tls-port)")
    private static let encoding = ignored("tunes the memory encoding of a Redis data type; SkipKV stores strings only")
    private static let allocator = ignored("tunes Redis's allocator or hash tables; SkipKV's memory is managed by its B-skiplist nodes")
    private static let lazyFree = ignored("SkipKV frees deleted data through its epoch reclamation whatever this says")
    private static let cpuAffinity = ignored("SkipKV does not pin threads to CPUs")
    private static let syslog = ignored("SkipKV logs to logfile or standard output only")
    private static let scripting = ignored("SkipKV has no scripting or modules")
    private static let latency = ignored("SkipKV has no LATENCY command")
    private static let acl = ignored("SkipKV has no ACL users other than default")
    private static let guardedCommands = ignored("SkipKV has no MODULE command, and its dir and dbfilename are immutable anyway")
    private static let fixedTimer = ignored("SkipKV's periodic work runs on a fixed 100 ms timer (Redis's default hz 10)")
    private static let incrementalFsync = ignored("SkipKV fsyncs a snapshot once, when it is complete")
    private static let empty = [""]
    private static let no = ["no"]

    private static func ignored(_ reason: String) -> Treatment { .ignored(reason: reason) }

    private static let noReplicas = Treatment.refused(
        harmless: ["0"], reason: "SkipKV has no replicas, so writes would be acknowledged without the copies this asks for")
    private static let notAReplica = Treatment.refused(
        harmless: ["", "no one"], reason: "SkipKV has no replication: it would serve and accept writes to its own data instead of the master's")
    private static let noUsers = "SkipKV has no ACL users: the users and passwords it defines would not exist and clients would get in without them (use requirepass)"

    /// Every classified Redis directive, alphabetically.
    static let all: [RedisDirective] = [
        RedisDirective("acl-pubsub-default", "resetchannels", acl),
        RedisDirective("aclfile", "", mutable: false, .refused(harmless: empty, reason: noUsers)),
        RedisDirective("acllog-max-len", "128", acl),
        RedisDirective("active-defrag-cycle-max", "25", allocator),
        RedisDirective("active-defrag-cycle-min", "1", allocator),
        RedisDirective("active-defrag-ignore-bytes", "104857600", allocator),
        RedisDirective("active-defrag-max-scan-fields", "1000", allocator),
        RedisDirective("active-defrag-threshold-lower", "10", allocator),
        RedisDirective("active-defrag-threshold-upper", "100", allocator),
        RedisDirective("activedefrag", "no", allocator),
        RedisDirective("activerehashing", "yes", allocator),
        RedisDirective("always-show-logo", "no", mutable: false, ignored("SkipKV shows no logo")),
        RedisDirective("aof-disable-auto-gc", "no", .refused(
            harmless: no, reason: "SkipKV deletes the log segments a snapshot made redundant and cannot keep them as this asks")),
        RedisDirective("aof-rewrite-incremental-fsync", "yes", incrementalFsync),
        RedisDirective("aof-timestamp-enabled", "no", .refused(
            harmless: no, reason: "SkipKV's log records carry no timestamps, so it cannot be cut back to a point in time as this is meant for")),
        RedisDirective("aof-use-rdb-preamble", "yes", ignored("SkipKV keeps snapshots in their own file (dbfilename), never inside the log")),
        RedisDirective("aof_rewrite_cpulist", "", mutable: false, cpuAffinity),
        RedisDirective("appenddirname", "appendonlydir", mutable: false, ignored("SkipKV writes its log segments directly in dir")),
        RedisDirective("bgsave_cpulist", "", mutable: false, cpuAffinity),
        RedisDirective("bind-source-addr", "", replication),
        RedisDirective("bio_cpulist", "", mutable: false, cpuAffinity),
        RedisDirective("busy-reply-threshold", "5000", scripting),
        RedisDirective("client-query-buffer-limit", "1073741824", ignored(
            "SkipKV bounds requests with proto-max-bulk-len, max-inline-len and max-multibulk-len instead")),
        RedisDirective("cluster-allow-pubsubshard-when-down", "yes", cluster),
        RedisDirective("cluster-allow-reads-when-down", "no", cluster),
        RedisDirective("cluster-allow-replica-migration", "yes", cluster),
        RedisDirective("cluster-announce-bus-port", "0", cluster),
        RedisDirective("cluster-announce-hostname", "", cluster),
        RedisDirective("cluster-announce-ip", "", cluster),
        RedisDirective("cluster-announce-port", "0", cluster),
        RedisDirective("cluster-announce-tls-port", "0", cluster),
        RedisDirective("cluster-config-file", "nodes.conf", mutable: false, cluster),
        RedisDirective("cluster-enabled", "no", mutable: false, .refused(
            harmless: no, reason: "SkipKV has no cluster mode: this node would hold every key alone, without the cluster's replicas and failover")),
        RedisDirective("cluster-link-sendbuf-limit", "0", cluster),
        RedisDirective("cluster-migration-barrier", "1", cluster),
        RedisDirective("cluster-node-timeout", "15000", cluster),
        RedisDirective("cluster-port", "0", mutable: false, cluster),
        RedisDirective("cluster-preferred-endpoint-type", "ip", cluster),
        RedisDirective("cluster-replica-no-failover", aliases: ["cluster-slave-no-failover"], "no", cluster),
        RedisDirective("cluster-replica-validity-factor", aliases: ["cluster-slave-validity-factor"], "10", cluster),
        RedisDirective("cluster-require-full-coverage", "yes", cluster),
        RedisDirective("crash-log-enabled", "yes", ignored("SkipKV writes no crash report of its own")),
        RedisDirective("crash-memcheck-enabled", "yes", ignored("SkipKV writes no crash report of its own")),
        RedisDirective("databases", "1", mutable: false, ignored("SkipKV has one database (SELECT 0)")),
        RedisDirective("disable-thp", "yes", mutable: false, ignored("SkipKV leaves transparent huge pages as the system sets them")),
        RedisDirective("dynamic-hz", "yes", fixedTimer),
        RedisDirective("enable-module-command", "no", mutable: false, guardedCommands),
        RedisDirective("enable-protected-configs", "no", mutable: false, guardedCommands),
        RedisDirective("hash-max-listpack-entries", aliases: ["hash-max-ziplist-entries"], "512", encoding),
        RedisDirective("hash-max-listpack-value", aliases: ["hash-max-ziplist-value"], "64", encoding),
        RedisDirective("hll-sparse-max-bytes", "3000", encoding),
        RedisDirective("hz", "10", fixedTimer),
        RedisDirective("ignore-warnings", "", ignored("SkipKV does not run Redis's start-up checks of the kernel")),
        RedisDirective("io-threads-do-reads", "no", mutable: false, ignored("SkipKV's event loops always read and parse their clients' requests")),
        RedisDirective("jemalloc-bg-thread", "yes", allocator),
        RedisDirective("latency-monitor-threshold", "0", latency),
        RedisDirective("latency-tracking", "yes", latency),
        RedisDirective("latency-tracking-info-percentiles", "50 99 99.9", latency),
        RedisDirective("lazyfree-lazy-eviction", "no", lazyFree),
        RedisDirective("lazyfree-lazy-expire", "no", lazyFree),
        RedisDirective("lazyfree-lazy-server-del", "no", lazyFree),
        RedisDirective("lazyfree-lazy-user-del", "no", lazyFree),
        RedisDirective("lazyfree-lazy-user-flush", "no", lazyFree),
        RedisDirective("list-compress-depth", "0", encoding),
        RedisDirective("list-max-listpack-size", aliases: ["list-max-ziplist-size"], "-2", encoding),
        RedisDirective("loadmodule", nil, ignored("SkipKV cannot load Redis modules; their commands answer unknown command")),
        RedisDirective("lua-time-limit", "5000", scripting),
        RedisDirective("masterauth", "", replication),
        RedisDirective("masteruser", "", replication),
        RedisDirective("min-replicas-max-lag", aliases: ["min-slaves-max-lag"], "10", replication),
        RedisDirective("min-replicas-to-write", aliases: ["min-slaves-to-write"], "0", noReplicas),
        RedisDirective("no-appendfsync-on-rewrite", "no", ignored(
            "SkipKV keeps fsyncing the log while it snapshots (this setting could only weaken durability)")),
        RedisDirective("notify-keyspace-events", "", ignored("SkipKV has no pub/sub or keyspace notifications")),
        RedisDirective("oom-score-adj", "no", ignored("SkipKV leaves its OOM score as the system sets it")),
        RedisDirective("oom-score-adj-values", "0 200 800", ignored("SkipKV leaves its OOM score as the system sets it")),
        RedisDirective("proc-title-template", "{title} {listen-addr} {server-mode}", ignored("SkipKV does not change its process title")),
        RedisDirective("propagation-error-behavior", "ignore", replication),
        RedisDirective("rdb-del-sync-files", "no", replication),
        RedisDirective("rdb-save-incremental-fsync", "yes", incrementalFsync),
        RedisDirective("rdbchecksum", "yes", mutable: false, ignored("SkipKV always checksums snapshot blocks (CRC32C)")),
        RedisDirective("rdbcompression", "yes", ignored("SkipKV's snapshot format is not compressed")),
        RedisDirective("rename-command", nil, .refused(
            harmless: [], reason: "SkipKV cannot rename or disable commands, so the commands this hides would stay reachable")),
        RedisDirective("repl-backlog-size", "1048576", replication),
        RedisDirective("repl-backlog-ttl", "3600", replication),
        RedisDirective("repl-disable-tcp-nodelay", "no", replication),
        RedisDirective("repl-diskless-load", "disabled", replication),
        RedisDirective("repl-diskless-sync", "yes", replication),
        RedisDirective("repl-diskless-sync-delay", "5", replication),
        RedisDirective("repl-diskless-sync-max-replicas", "0", replication),
        RedisDirective("repl-ping-replica-period", aliases: ["repl-ping-slave-period"], "10", replication),
        RedisDirective("repl-timeout", "60", replication),
        RedisDirective("replica-announce-ip", aliases: ["slave-announce-ip"], "", replication),
        RedisDirective("replica-announce-port", aliases: ["slave-announce-port"], "0", replication),
        RedisDirective("replica-announced", "yes", replication),
        RedisDirective("replica-ignore-disk-write-errors", "no", replication),
        RedisDirective("replica-ignore-maxmemory", aliases: ["slave-ignore-maxmemory"], "yes", replication),
        RedisDirective("replica-lazy-flush", aliases: ["slave-lazy-flush"], "no", replication),
        RedisDirective("replica-priority", aliases: ["slave-priority"], "100", replication),
        RedisDirective("replica-read-only", aliases: ["slave-read-only"], "yes", replication),
        RedisDirective("replica-serve-stale-data", aliases: ["slave-serve-stale-data"], "yes", replication),
        RedisDirective("replicaof", aliases: ["slaveof"], "", mutable: false, notAReplica),
        RedisDirective("sanitize-dump-payload", "no", ignored("SkipKV has no DUMP or RESTORE")),
        RedisDirective("server_cpulist", "", mutable: false, cpuAffinity),
        RedisDirective("set-max-intset-entries", "512", encoding),
        RedisDirective("set-proc-title", "yes", mutable: false, ignored("SkipKV does not change its process title")),
        RedisDirective("socket-mark-id", "0", mutable: false, ignored("SkipKV does not mark its sockets")),
        RedisDirective("stream-node-max-bytes", "4096", encoding),
        RedisDirective("stream-node-max-entries", "100", encoding),
        RedisDirective("supervised", "no", mutable: false, ignored(
            "SkipKV does not notify a supervisor; run it in the foreground under systemd Type=simple (config/skipkv.service)")),
        RedisDirective("syslog-enabled", "no", mutable: false, syslog),
        RedisDirective("syslog-facility", "local0", mutable: false, syslog),
        RedisDirective("syslog-ident", "redis", mutable: false, syslog),
        RedisDirective("tls-auth-clients", "yes", tls),
        RedisDirective("tls-ca-cert-dir", "", tls),
        RedisDirective("tls-ca-cert-file", "", tls),
        RedisDirective("tls-cert-file", "", tls),
        RedisDirective("tls-ciphers", "", tls),
        RedisDirective("tls-ciphersuites", "", tls),
        RedisDirective("tls-client-cert-file", "", tls),
        RedisDirective("tls-client-key-file", "", tls),
        RedisDirective("tls-client-key-file-pass", "", tls),
        RedisDirective("tls-cluster", "no", tls),
        RedisDirective("tls-dh-params-file", "", tls),
        RedisDirective("tls-key-file", "", tls),
        RedisDirective("tls-key-file-pass", "", tls),
        RedisDirective("tls-port", "0", .refused(harmless: ["0"], reason: "SkipKV has no TLS, so clients would have to talk to it unencrypted")),
        RedisDirective("tls-prefer-server-ciphers", "no", tls),
        RedisDirective("tls-protocols", "", tls),
        RedisDirective("tls-replication", "no", tls),
        RedisDirective("tls-session-cache-size", "20480", tls),
        RedisDirective("tls-session-cache-timeout", "300", tls),
        RedisDirective("tls-session-caching", "yes", tls),
        RedisDirective("tracking-table-max-keys", "1000000", ignored("SkipKV has no client-side caching (CLIENT TRACKING)")),
        RedisDirective("user", nil, .refused(harmless: [], reason: noUsers)),
        RedisDirective("zset-max-listpack-entries", aliases: ["zset-max-ziplist-entries"], "128", encoding),
        RedisDirective("zset-max-listpack-value", aliases: ["zset-max-ziplist-value"], "64", encoding),
    ]
}
