import SkipKVProtocol
import SkipKVSystem

/// CLIENT ID | SETNAME | GETNAME | SETINFO | LIST | INFO | KILL | HELP: one handler per
/// subcommand (the executor resolves the subcommand and checks its arity from `CommandTable`).
enum ClientCommands {
    static let invalidNameMessage = "ERR Client names cannot contain spaces, newlines or special characters."

    static func id(_ c: CommandContext) {
        c.reply.pointee.writeInteger(Int64(c.connection.pointee.client.id))
    }

    static func setName(_ c: CommandContext) {
        guard isValidName(c.argument(2)) else {
            c.error(invalidNameMessage)
            return
        }
        let name = c.string(2)
        c.connection.pointee.client.names.withLock { $0.name = name }
        c.reply.pointee.writeOK()
    }

    static func getName(_ c: CommandContext) {
        let name = c.connection.pointee.client.names.withLock { $0.name }
        if name.isEmpty { c.reply.pointee.writeNull() } else { c.reply.pointee.writeBulkString(name) }
    }

    static func info(_ c: CommandContext) {
        c.reply.pointee.writeVerbatimString(c.connection.pointee.client.describe(now: monotonicMilliseconds()) + "\n")
    }

    static func help(_ c: CommandContext) {
        writeHelp(c, [
            "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GETNAME", "    Return the name of the current connection.",
            "ID", "    Return the ID of the current connection.",
            "INFO", "    Return information about the current client connection.",
            "KILL <ip:port>", "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
            "    * USER <username>", "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
            "    * ID <client-id>", "      Kill connections by client id.",
            "LIST [TYPE NORMAL]", "    Return information about client connections.",
            "SETINFO <option> <value>", "    Set client meta attr. Options are:",
            "    * LIB-NAME: the client lib name.", "    * LIB-VER: the client lib version.",
            "SETNAME <name>", "    Assign the name <name> to the current connection.",
            "HELP", "    Print this help.",
        ])
    }

    /// CLIENT KILL addr (old form: `+OK`, or an error when no client has that address) or
    /// CLIENT KILL filters (new form: how many clients were killed). Clients on other loops
    /// are flagged and their loops woken to close them; the caller, when it kills itself,
    /// closes once this reply is sent.
    static func kill(_ c: CommandContext) {
        let filter: ClientKillFilter
        switch ClientKillFilter.parse(c) {
        case .success(let parsed): filter = parsed
        case .failure(let error):
            c.error(error.message)
            return
        }
        let caller = c.connection.pointee.client.id
        var killsCaller = false
        let flagged = c.server.clients.requestKill { client in
            guard filter.matches(client) else { return false }
            if client.id == caller {
                killsCaller = !filter.skipsCaller
                return false
            }
            return true
        }
        if flagged > 0 {
            for loop in c.server.loops { loop.requestKills() }
        }
        let killed = flagged + (killsCaller ? 1 : 0)
        if c.count == 3 {
            if killed == 0 { c.error("ERR No such client") } else { c.reply.pointee.writeOK() }
        } else {
            c.reply.pointee.writeInteger(Int64(killed))
        }
        if killsCaller { c.loop.finish(c.connection) }
    }

    /// CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2; redis-py sends it on connect).
    static func setInfo(_ c: CommandContext) {
        let client = c.connection.pointee.client
        let value = c.argument(3)
        guard isValidName(value) else {
            c.error("ERR \(c.string(2)) cannot contain spaces, newlines or special characters.")
            return
        }
        let text = c.string(3)
        if c.argument(2, is: "LIB-NAME") {
            client.names.withLock { $0.libraryName = text }
        } else if c.argument(2, is: "LIB-VER") {
            client.names.withLock { $0.libraryVersion = text }
        } else {
            c.error("ERR Unrecognized option '\(c.string(2))'")
            return
        }
        c.reply.pointee.writeOK()
    }

    /// CLIENT LIST [TYPE normal]: one line per client, every client being a normal one.
    static func list(_ c: CommandContext) {
        var onlyNone = false
        if c.count > 2 {
            guard c.count == 4, c.argument(2, is: "TYPE") else {
                c.error(ErrorText.syntax)
                return
            }
            if c.argument(3, is: "NORMAL") {
                onlyNone = false
            } else if c.argument(3, is: "MASTER") || c.argument(3, is: "REPLICA") || c.argument(3, is: "SLAVE") || c.argument(3, is: "PUBSUB") {
                onlyNone = true
            } else {
                c.error("ERR Unknown client type '\(c.string(3))'")
                return
            }
        }
        let now = monotonicMilliseconds()
        let text = onlyNone ? "" : c.server.clients.snapshot().map { $0.describe(now: now) + "\n" }.joined()
        c.reply.pointee.writeVerbatimString(text)
    }

    /// Names must be printable ASCII without spaces, as Redis requires.
    static func isValidName(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.allSatisfy { $0 >= UInt8(ascii: "!") && $0 <= UInt8(ascii: "~") }
    }

    static func writeHelp(_ c: CommandContext, _ lines: [String]) {
        c.reply.pointee.writeArrayHeader(count: lines.count)
        for line in lines { c.reply.pointee.writeSimpleString(line) }
    }
}
