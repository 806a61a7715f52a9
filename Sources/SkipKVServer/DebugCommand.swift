import SkipKVIndex

/// Who may run DEBUG, as Redis's `enable-debug-command`.
public enum DebugCommandAccess: String, Sendable, CaseIterable {
    case no
    case yes
    /// Clients on the loopback interface or a Unix socket.
    case local
}

/// DEBUG: the subcommands tests need. SET-ACTIVE-EXPIRE is Redis's; ADVANCE-CLOCK is
/// SkipKV's own, moving the expiry clock forward so a test sees keys expire without
/// sleeping. Refused unless `enable-debug-command` allows the client, with Redis's error.
enum DebugCommand {
    static let notAllowed = """
        ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a \
        local connection, otherwise you need to set this option in the configuration file, and then restart the server.
        """

    static let helpLines = [
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not accessed (otherwise the Redis behavior). Setting it to 1 reenables back the default.",
        "ADVANCE-CLOCK <milliseconds>",
        "    Moves SkipKV's expiry clock forward: keys expire as if that much more time had passed (tests only).",
        "HELP",
        "    Print this help.",
    ]

    static func debug(_ c: CommandContext) {
        guard allowed(c) else { return c.error(notAllowed) }
        if c.argument(1, is: "HELP") {
            c.reply.pointee.writeArrayHeader(count: helpLines.count)
            for line in helpLines { c.reply.pointee.writeSimpleString(line) }
        } else if c.argument(1, is: "SET-ACTIVE-EXPIRE") && c.count == 3 {
            guard let flag = c.integer(2) else { return }
            c.server.activeExpireEnabled.store(flag != 0, ordering: .relaxed)
            c.reply.pointee.writeOK()
        } else if c.argument(1, is: "ADVANCE-CLOCK") && c.count == 3 {
            guard let milliseconds = c.integer(2) else { return }
            guard milliseconds >= 0 else { return c.error("ERR the clock only moves forward") }
            c.server.keyspace.clock.advance(by: milliseconds)
            c.reply.pointee.writeOK()
        } else {
            c.error(ErrorText.unknownSubcommand(c.string(1), of: "debug"))
        }
    }

    private static func allowed(_ c: CommandContext) -> Bool {
        switch c.server.settings.config.enableDebugCommand {
        case .no: return false
        case .yes: return true
        case .local:
            let address = c.connection.pointee.client.address
            return address.hasPrefix("127.") || address.hasPrefix("[::1]") || address.hasPrefix("/")
        }
    }
}
