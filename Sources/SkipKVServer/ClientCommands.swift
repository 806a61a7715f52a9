import SkipKVProtocol

/// CLIENT ID | SETNAME | GETNAME | SETINFO | LIST | INFO | HELP.
enum ClientCommands {
    static let invalidNameMessage = "ERR Client names cannot contain spaces, newlines or special characters."

    static func client(_ c: CommandContext) {
        let client = c.connection.pointee.client
        if c.argument(1, is: "ID") {
            guard requireArity(c, 2, "id") else { return }
            c.reply.pointee.writeInteger(Int64(client.id))
        } else if c.argument(1, is: "SETNAME") {
            guard requireArity(c, 3, "setname") else { return }
            guard isValidName(c.argument(2)) else {
                c.error(invalidNameMessage)
                return
            }
            let name = c.string(2)
            client.names.withLock { $0.name = name }
            c.reply.pointee.writeOK()
        } else if c.argument(1, is: "GETNAME") {
            guard requireArity(c, 2, "getname") else { return }
            let name = client.names.withLock { $0.name }
            if name.isEmpty { c.reply.pointee.writeNull() } else { c.reply.pointee.writeBulkString(name) }
        } else if c.argument(1, is: "SETINFO") {
            guard requireArity(c, 4, "setinfo") else { return }
            setInfo(c, client)
        } else if c.argument(1, is: "LIST") {
            list(c)
        } else if c.argument(1, is: "INFO") {
            guard requireArity(c, 2, "info") else { return }
            c.reply.pointee.writeVerbatimString(client.describe(now: monotonicMilliseconds()) + "\n")
        } else if c.argument(1, is: "HELP") {
            writeHelp(c, [
                "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GETNAME", "    Return the name of the current connection.",
                "ID", "    Return the ID of the current connection.",
                "INFO", "    Return information about the current client connection.",
                "LIST [TYPE NORMAL]", "    Return information about client connections.",
                "SETINFO <option> <value>", "    Set client meta attr. Options are:",
                "    * LIB-NAME: the client lib name.", "    * LIB-VER: the client lib version.",
                "SETNAME <name>", "    Assign the name <name> to the current connection.",
                "HELP", "    Print this help.",
            ])
        } else {
            c.error(ErrorText.unknownSubcommand(c.string(1), of: "client"))
        }
    }

    /// CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2; redis-py sends it on connect).
    private static func setInfo(_ c: CommandContext, _ client: ClientInfo) {
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
    private static func list(_ c: CommandContext) {
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

    /// Checks a subcommand's argument count, replying with Redis's `'client|name'` error.
    static func requireArity(_ c: CommandContext, _ arity: Int, _ subcommand: String, command: String = "client") -> Bool {
        let ok = arity > 0 ? c.count == arity : c.count >= -arity
        if !ok { c.error(ErrorText.arity("\(command)|\(subcommand)")) }
        return ok
    }

    static func writeHelp(_ c: CommandContext, _ lines: [String]) {
        c.reply.pointee.writeArrayHeader(count: lines.count)
        for line in lines { c.reply.pointee.writeSimpleString(line) }
    }
}
