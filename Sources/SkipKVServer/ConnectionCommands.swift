import SkipKVProtocol

/// PING, ECHO, QUIT, HELLO, AUTH, SELECT and CLIENT: commands about the connection itself.
enum ConnectionCommands {
    static func ping(_ c: CommandContext) {
        switch c.count {
        case 1: c.reply.pointee.writeSimpleString("PONG")
        case 2: c.reply.pointee.writeBulkString(c.argument(1))
        default: c.error(ErrorText.arity("ping"))
        }
    }

    static func echo(_ c: CommandContext) {
        c.reply.pointee.writeBulkString(c.argument(1))
    }

    /// Replies +OK, then closes the connection once the replies before it are written.
    static func quit(_ c: CommandContext) {
        c.reply.pointee.writeOK()
        c.loop.finish(c.connection)
    }

    static func select(_ c: CommandContext) {
        guard let index = c.integer(1) else { return }
        guard index == 0 else {
            c.error("ERR DB index is out of range")
            return
        }
        c.reply.pointee.writeOK()
    }

    /// AUTH [username] password. The only user is `default`; without `requirepass` it
    /// accepts any password, like Redis's `nopass` default user, but the one-argument form
    /// then fails with Redis's hint that no password is configured.
    static func auth(_ c: CommandContext) {
        guard c.count <= 3 else {
            c.error(ErrorText.syntax)
            return
        }
        let settings = c.server.settings
        let passwordRequired = settings.passwordRequired.load(ordering: .relaxed)
        if c.count == 2 && !passwordRequired {
            c.error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
            return
        }
        let userIsDefault = c.count == 2 || c.argument(1, isExactly: "default")
        guard userIsDefault && (!passwordRequired || settings.checkPassword(c.argument(c.count - 1))) else {
            c.error(ErrorText.wrongPass)
            return
        }
        c.connection.pointee.authenticated = true
        c.reply.pointee.writeOK()
    }

    /// HELLO [protover [AUTH username password] [SETNAME name]]: switches the connection's
    /// RESP version and replies with the server map in that version.
    static func hello(_ c: CommandContext) {
        var version = c.reply.pointee.version
        if c.count >= 2 {
            guard let requested = StrictInteger.parse(c.argument(1)) else {
                c.error("ERR Protocol version is not an integer or out of range")
                return
            }
            guard requested == 2 || requested == 3 else {
                c.error("NOPROTO unsupported protocol version")
                return
            }
            version = requested == 3 ? .resp3 : .resp2
        }
        var credentials: (user: Int, password: Int)? = nil
        var name: Int? = nil
        var index = 2
        while index < c.count {
            if c.argument(index, is: "AUTH") && index + 2 < c.count {
                credentials = (index + 1, index + 2)
                index += 3
            } else if c.argument(index, is: "SETNAME") && index + 1 < c.count {
                name = index + 1
                index += 2
            } else {
                c.error("ERR Syntax error in HELLO option '\(c.string(index))'")
                return
            }
        }
        if let credentials {
            let settings = c.server.settings
            // Without requirepass the default user takes any password, as Redis's nopass user.
            let accepted = c.argument(credentials.user, isExactly: "default")
                && (!settings.passwordRequired.load(ordering: .relaxed) || settings.checkPassword(c.argument(credentials.password)))
            guard accepted else {
                c.error(ErrorText.wrongPass)
                return
            }
            c.connection.pointee.authenticated = true
        }
        guard c.connection.pointee.authenticated || !c.server.settings.passwordRequired.load(ordering: .relaxed) else {
            c.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
            return
        }
        if let name {
            guard ClientCommands.isValidName(c.argument(name)) else {
                c.error(ClientCommands.invalidNameMessage)
                return
            }
            let text = c.string(name)
            c.connection.pointee.client.names.withLock { $0.name = text }
        }
        c.reply.pointee.version = version
        c.connection.pointee.client.protocolVersion.store(version.rawValue, ordering: .relaxed)
        let reply = c.reply
        reply.pointee.writeMapHeader(count: 7)
        reply.pointee.writeBulkString("server")
        reply.pointee.writeBulkString("redis")
        reply.pointee.writeBulkString("version")
        reply.pointee.writeBulkString(ServerVersion.redisCompatible)
        reply.pointee.writeBulkString("proto")
        reply.pointee.writeInteger(version.rawValue)
        reply.pointee.writeBulkString("id")
        reply.pointee.writeInteger(Int64(c.connection.pointee.client.id))
        reply.pointee.writeBulkString("mode")
        reply.pointee.writeBulkString("standalone")
        reply.pointee.writeBulkString("role")
        reply.pointee.writeBulkString("master")
        reply.pointee.writeBulkString("modules")
        reply.pointee.writeArrayHeader(count: 0)
    }
}

extension CommandContext {
    /// Whether argument `index` is exactly `text` (case-sensitive, as user names are).
    func argument(_ index: Int, isExactly text: StaticString) -> Bool {
        let bytes = argument(index)
        return text.withUTF8Buffer { expected in
            expected.count == bytes.count && zip(expected, bytes).allSatisfy { $0 == $1 }
        }
    }
}
