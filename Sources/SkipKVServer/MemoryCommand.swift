/// MEMORY USAGE | STATS | MALLOC-STATS | PURGE | HELP. MEMORY DOCTOR is not implemented
/// (docs/PROTOCOL.md).
enum MemoryCommand {
    static func mallocStats(_ c: CommandContext) {
        // What Redis answers when built with the C library's malloc, which SkipKV uses.
        c.reply.pointee.writeVerbatimString("Stats not supported for the current allocator")
    }

    static func purge(_ c: CommandContext) {
        // As Redis built with the C library's malloc: only jemalloc has pages to purge.
        c.reply.pointee.writeOK()
    }

    static func help(_ c: CommandContext) {
        ClientCommands.writeHelp(c, [
            "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "MALLOC-STATS", "    Return internal statistics report from the memory allocator.",
            "PURGE", "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS", "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
            "HELP", "    Prints this help.",
        ])
    }

    /// MEMORY USAGE key [SAMPLES count]: the bytes the key occupies in the index
    /// (`BSkipList.memoryUsage`), or null. SAMPLES is checked as Redis checks it; string
    /// values have nothing nested to sample.
    static func usage(_ c: CommandContext) {
        var index = 3
        while index < c.count {
            guard c.argument(index, is: "SAMPLES"), index + 1 < c.count else { return c.error(ErrorText.syntax) }
            guard let samples = c.integer(index + 1) else { return }
            guard samples >= 0 else { return c.error(ErrorText.syntax) }
            index += 2
        }
        let key = c.argument(2)
        if let bytes = c.keyspace.reference._withUnsafeGuaranteedRef({ $0.memoryUsage(ofKey: key) }) {
            c.reply.pointee.writeInteger(bytes)
        } else {
            c.reply.pointee.writeNull()
        }
    }

    /// MEMORY STATS: Redis's fields that apply to SkipKV, with Redis's names and meanings
    /// (docs/PROTOCOL.md lists the ones left out).
    static func stats(_ c: CommandContext) {
        let server = c.server
        let usage = server.memoryGauge.refresh(server.persistence)
        let peak = server.memoryGauge.peak.load(ordering: .relaxed)
        let startup = server.memoryGauge.startup
        let overhead = startup + usage.clients + usage.logBuffer
        let keys = server.keyspace.count
        let dataset = max(0, usage.total - overhead)
        let netMemory = max(0, usage.total - startup)
        let resident = InfoCommand.residentBytes()
        let integers: [(String, Int)] = [
            ("peak.allocated", peak), ("total.allocated", usage.total), ("startup.allocated", startup),
            ("clients.normal", usage.clients), ("aof.buffer", usage.logBuffer), ("overhead.total", overhead),
            ("keys.count", keys), ("keys.bytes-per-key", keys > 0 ? netMemory / keys : 0), ("dataset.bytes", dataset),
        ]
        let reply = c.reply
        reply.pointee.writeMapHeader(count: integers.count + 4)
        for (name, value) in integers {
            reply.pointee.writeBulkString(name)
            reply.pointee.writeInteger(value)
        }
        reply.pointee.writeBulkString("dataset.percentage")
        reply.pointee.writeDouble(netMemory > 0 ? Double(dataset) * 100 / Double(netMemory) : 0)
        reply.pointee.writeBulkString("peak.percentage")
        reply.pointee.writeDouble(peak > 0 ? Double(usage.total) * 100 / Double(peak) : 0)
        reply.pointee.writeBulkString("fragmentation")
        reply.pointee.writeDouble(usage.total > 0 ? Double(resident) / Double(usage.total) : 0)
        reply.pointee.writeBulkString("fragmentation.bytes")
        reply.pointee.writeInteger(resident - usage.total)
    }
}
