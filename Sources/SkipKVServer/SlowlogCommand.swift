import SkipKVProtocol

/// SLOWLOG GET [count] | LEN | RESET | HELP, as Redis 7 (entries: `SlowLog`).
enum SlowlogCommand {
    /// GET [count]: the newest `count` entries (default 10, -1 all), newest first.
    static func get(_ c: CommandContext) {
        var count: Int? = 10
        if c.count == 3 {
            guard let requested = StrictInteger.parse(c.argument(2)), requested >= -1 else {
                return c.error("ERR count should be greater than or equal to -1")
            }
            count = requested == -1 ? nil : Int(clamping: requested)
        }
        let entries = c.server.slowLog.newest(count)
        let reply = c.reply
        reply.pointee.writeArrayHeader(count: entries.count)
        for entry in entries {
            reply.pointee.writeArrayHeader(count: 6)
            reply.pointee.writeInteger(entry.id)
            reply.pointee.writeInteger(entry.timestamp)
            reply.pointee.writeInteger(entry.microseconds)
            reply.pointee.writeArrayHeader(count: entry.arguments.count)
            for argument in entry.arguments { argument.withUnsafeBytes { reply.pointee.writeBulkString($0) } }
            reply.pointee.writeBulkString(entry.address)
            reply.pointee.writeBulkString(entry.clientName)
        }
    }

    static func len(_ c: CommandContext) {
        c.reply.pointee.writeInteger(c.server.slowLog.count)
    }

    static func reset(_ c: CommandContext) {
        c.server.slowLog.reset()
        c.reply.pointee.writeOK()
    }

    static func help(_ c: CommandContext) {
        ClientCommands.writeHelp(c, [
            "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
            "HELP",
            "    Prints this help.",
        ])
    }
}
