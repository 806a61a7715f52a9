#if canImport(Glibc)
import Glibc
#endif
import SkipKVSystem

/// INFO [section ...]: Redis's `# Section` / `field:value` text. Sections: server, clients,
/// memory, persistence, stats, cpu, keyspace (the default set, in Redis's order) and commandstats; `all`/`everything` give
/// every section.
enum InfoCommand {
    private static let defaultSections = ["server", "clients", "memory", "persistence", "stats", "cpu", "keyspace"]
    private static let allSections = defaultSections + ["commandstats"]

    static func info(_ c: CommandContext) {
        var wanted: [String] = []
        for index in 1..<c.count {
            let name = c.string(index).lowercased()
            switch name {
            case "all", "everything": wanted += allSections
            case "default": wanted += defaultSections
            default: wanted.append(name)
            }
        }
        if wanted.isEmpty { wanted = defaultSections }
        let text = allSections.filter(wanted.contains).map { section(c, $0) }.joined(separator: "\r\n")
        c.reply.pointee.writeVerbatimString(text)
    }

    private static func section(_ c: CommandContext, _ name: String) -> String {
        let server = c.server
        var lines: [String]
        switch name {
        case "server":
            var names = utsname()
            uname(&names)
            let system = [names.sysname, names.release, names.machine].map(cString).joined(separator: " ")
            let uptime = (monotonicMilliseconds() - server.startedAt) / 1000
            lines = [
                "# Server",
                "redis_version:\(ServerVersion.redisCompatible)",
                "skipkv_version:\(ServerVersion.skipkv)",
                "redis_mode:standalone",
                "os:\(system)",
                "arch_bits:\(Int.bitWidth)",
                "multiplexing_api:epoll",
                "process_id:\(getpid())",
                "run_id:\(server.runID)",
                "tcp_port:\(server.tcpPort)",
                "uptime_in_seconds:\(uptime)",
                "uptime_in_days:\(uptime / 86400)",
                "io_threads_active:\(server.loops.count)",
                "shards:\(server.keyspace.shardCount)",
                "executable:\(executablePath())",
            ]
        case "clients":
            lines = [
                "# Clients",
                "connected_clients:\(server.clients.connectedCount.load(ordering: .relaxed))",
                "maxclients:\(server.settings.maxClients.load(ordering: .relaxed))",
                "blocked_clients:0",
            ]
        case "memory":
            let usage = server.memoryGauge.refresh(server.persistence)
            let used = usage.total
            let resident = residentBytes()
            // Memory fields: docs/OPERATIONS.md, "Memory".
            let peak = server.memoryGauge.peak.load(ordering: .relaxed)
            let config = server.settings.config
            lines = [
                "# Memory",
                "used_memory:\(used)",
                "used_memory_human:\(humanBytes(used))",
                "used_memory_rss:\(resident)",
                "used_memory_rss_human:\(humanBytes(resident))",
                "used_memory_peak:\(peak)",
                "used_memory_peak_human:\(humanBytes(peak))",
                "used_memory_startup:\(server.memoryGauge.startup)",
                "maxmemory:\(config.maxMemory)",
                "maxmemory_human:\(humanBytes(config.maxMemory))",
                "maxmemory_policy:\(config.maxMemoryPolicy.rawValue)",
                "mem_not_counted_for_evict:\(usage.logBuffer)",
                "mem_clients_normal:\(usage.clients)",
                "mem_aof_buffer:\(usage.logBuffer)",
                "mem_allocator:libc",
            ]
        case "persistence":
            lines = ["# Persistence"] + server.persistence.infoFields.map { "\($0.0):\($0.1)" }
        case "stats":
            lines = [
                "# Stats",
                "total_connections_received:\(server.total(.connectionsReceived))",
                "total_commands_processed:\(server.total(.commandsProcessed))",
                "instantaneous_ops_per_sec:\(server.opsSampler.rate)",
                "total_net_input_bytes:\(server.total(.networkInputBytes))",
                "total_net_output_bytes:\(server.total(.networkOutputBytes))",
                "rejected_connections:\(server.total(.rejectedConnections))",
                "expired_keys:\(server.total(.expiredKeys))",
                "expired_stale_perc:\(staleExpiredPercent(server))",
                "expired_time_cap_reached_count:\(server.total(.expireCycleTimeCapReached))",
                "expire_cycle_cpu_milliseconds:\(server.total(.expireCycleMicroseconds) / 1000)",
                "evicted_keys:\(server.total(.evictedKeys))",
                "evicted_clients:\(server.total(.evictedClients))",
                "keyspace_hits:\(server.total(.keyspaceHits))",
                "keyspace_misses:\(server.total(.keyspaceMisses))",
                "total_error_replies:\(server.total(.errorReplies))",
            ]
        case "cpu":
            // The process's CPU time, its waited-for children's (snapshots run in threads, so
            // none), and the calling loop thread's: Redis's "main thread" is the one that runs
            // commands, and SkipKV runs them on every loop thread.
            lines = ["# CPU"]
            // RUSAGE_SELF, RUSAGE_CHILDREN and RUSAGE_THREAD (a Linux extension the Glibc
            // module does not export).
            for (suffix, who) in [("", Int32(0)), ("_children", -1), ("_main_thread", 1)] {
                var usage = rusage()
                getrusage(__rusage_who_t(who), &usage)
                lines.append("used_cpu_sys\(suffix):\(seconds(usage.ru_stime))")
                lines.append("used_cpu_user\(suffix):\(seconds(usage.ru_utime))")
            }
        case "keyspace":
            lines = ["# Keyspace"]
            let keys = server.keyspace.count
            if keys > 0 {
                let expires = server.keyspace.keysWithDeadline
                let mean = server.keyspace.meanDeadline.map { max(0, $0 - server.keyspace.clock.now()) } ?? 0
                lines.append("db0:keys=\(keys),expires=\(expires),avg_ttl=\(expires > 0 ? mean : 0)")
            }
        case "commandstats":
            lines = ["# Commandstats"]
            for command in CommandTable.shared.all {
                let calls = server.total(.calls, for: command)
                let rejected = server.total(.rejected, for: command)
                guard calls > 0 || rejected > 0 else { continue }
                let microseconds = server.total(.microseconds, for: command)
                let perCall = calls > 0 ? Double(microseconds) / Double(calls) : 0
                let failed = server.total(.failed, for: command)
                lines.append("cmdstat_\(command.name):calls=\(calls),usec=\(microseconds),usec_per_call=\(twoDecimals(perCall)),rejected_calls=\(rejected),failed_calls=\(failed)")
            }
        default:
            lines = []
        }
        return lines.map { $0 + "\r\n" }.joined()
    }

    /// Redis's `%ld.%06ld` of a `timeval`.
    private static func seconds(_ time: timeval) -> String {
        let micros = String(time.tv_usec)
        return "\(time.tv_sec)." + String(repeating: "0", count: max(0, 6 - micros.count)) + micros
    }

    private static func cString<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return "" }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Resident set size from /proc/self/statm (second field, in pages).
    static func residentBytes() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var size = 0
        var resident = 0
        guard withUnsafeMutablePointer(to: &size, { s in
            withUnsafeMutablePointer(to: &resident) { r in
                withVaList([s, r]) { vfscanf(file, "%ld %ld", $0) }
            }
        }) == 2 else { return 0 }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func humanBytes(_ bytes: Int) -> String {
        let units = ["B", "K", "M", "G", "T"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes)B" : twoDecimals(value) + units[unit]
    }

    private static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// The percentage of keys with a deadline that have expired and wait for the active
    /// cycle (Redis's estimate of the memory expired keys hold): the nodes still due, counted
    /// in the deadline indexes, times the expired keys per node the last cycles found.
    private static func staleExpiredPercent(_ server: ServerState) -> String {
        let expires = server.keyspace.keysWithDeadline
        let due = server.keyspace.countDueNodes(now: server.keyspace.clock.now())
        guard expires > 0, due > 0 else { return "0.00" }
        var found = 0
        var nodes = 0
        for loop in server.loops {
            let last = loop.activeExpiry.lastRun
            found += last.expired
            nodes += last.nodes
        }
        let stale = min(expires, nodes > 0 ? due * found / nodes : due)
        let hundredths = (stale * 10_000 + expires / 2) / expires
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
