import SkipKVProtocol

/// COMMAND [COUNT | INFO [name...] | DOCS [name...] | LIST | HELP], in Redis 7's reply shapes.
enum CommandCommand {
    static func command(_ c: CommandContext) {
        if c.count == 1 {
            writeInfos(c, CommandID.allCases.map { $0.doc })
        } else if c.argument(1, is: "COUNT") {
            guard ClientCommands.requireArity(c, 2, "count", command: "command") else { return }
            c.reply.pointee.writeInteger(CommandID.allCases.count)
        } else if c.argument(1, is: "INFO") {
            let docs: [CommandDoc?] = c.count == 2
                ? CommandID.allCases.map { $0.doc }
                : (2..<c.count).map { find(c.string($0)) }
            c.reply.pointee.writeArrayHeader(count: docs.count)
            for doc in docs {
                if let doc { writeInfo(c, doc) } else { c.reply.pointee.writeNull() }
            }
        } else if c.argument(1, is: "DOCS") {
            let docs: [CommandDoc] = c.count == 2
                ? CommandID.allCases.map { $0.doc }
                : (2..<c.count).compactMap { find(c.string($0)) }
            c.reply.pointee.writeMapHeader(count: docs.count)
            for doc in docs {
                c.reply.pointee.writeBulkString(doc.name)
                writeDocs(c, doc)
            }
        } else if c.argument(1, is: "LIST") {
            c.reply.pointee.writeArrayHeader(count: CommandID.allCases.count)
            for command in CommandID.allCases { c.reply.pointee.writeBulkString(command.name) }
        } else if c.argument(1, is: "HELP") {
            ClientCommands.writeHelp(c, [
                "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "(no subcommand)", "    Return details about all commands.",
                "COUNT", "    Return the total number of commands in this server.",
                "LIST", "    Return a list of all commands in this server.",
                "INFO [<command-name> ...]", "    Return details about multiple commands.",
                "DOCS [<command-name> ...]", "    Return documentation details about multiple commands.",
                "HELP", "    Print this help.",
            ])
        } else {
            c.error(ErrorText.unknownSubcommand(c.string(1), of: "command"))
        }
    }

    /// A command or `container|subcommand` by name, any case.
    private static func find(_ name: String) -> CommandDoc? {
        let lower = name.lowercased()
        let parts = lower.split(separator: "|", maxSplits: 1).map(String.init)
        guard let command = CommandID.allCases.first(where: { $0.name == parts.first }) else { return nil }
        let doc = command.doc
        if parts.count == 1 { return doc }
        return doc.subcommands.first { $0.name == lower }
    }

    private static func writeInfos(_ c: CommandContext, _ docs: [CommandDoc]) {
        c.reply.pointee.writeArrayHeader(count: docs.count)
        for doc in docs { writeInfo(c, doc) }
    }

    /// The 10-element COMMAND INFO entry: name, arity, flags, first key, last key, step,
    /// ACL categories, tips, key specs, subcommands.
    private static func writeInfo(_ c: CommandContext, _ doc: CommandDoc) {
        let reply = c.reply
        reply.pointee.writeArrayHeader(count: 10)
        reply.pointee.writeBulkString(doc.name)
        reply.pointee.writeInteger(doc.arity)
        reply.pointee.writeSetHeader(count: doc.flags.count)
        for flag in doc.flags { reply.pointee.writeSimpleString(flag) }
        reply.pointee.writeInteger(doc.firstKey)
        reply.pointee.writeInteger(doc.lastKey)
        reply.pointee.writeInteger(doc.step)
        let categories = doc.aclCategories
        reply.pointee.writeSetHeader(count: categories.count)
        for category in categories { reply.pointee.writeSimpleString(category) }
        // Tips (a set, as Redis sends it) and key specs: none.
        reply.pointee.writeSetHeader(count: 0)
        reply.pointee.writeArrayHeader(count: 0)
        reply.pointee.writeArrayHeader(count: doc.subcommands.count)
        for sub in doc.subcommands { writeInfo(c, sub) }
    }

    /// The COMMAND DOCS map of one command.
    private static func writeDocs(_ c: CommandContext, _ doc: CommandDoc) {
        let reply = c.reply
        let hasArguments = !doc.arguments.isEmpty
        let hasSubcommands = !doc.subcommands.isEmpty
        reply.pointee.writeMapHeader(count: 4 + (hasArguments ? 1 : 0) + (hasSubcommands ? 1 : 0))
        for (field, value) in [("summary", doc.summary), ("since", doc.since), ("group", doc.group), ("complexity", doc.complexity)] {
            reply.pointee.writeBulkString(field)
            reply.pointee.writeBulkString(value)
        }
        if hasArguments {
            reply.pointee.writeBulkString("arguments")
            writeArguments(c, doc.arguments)
        }
        if hasSubcommands {
            reply.pointee.writeBulkString("subcommands")
            reply.pointee.writeMapHeader(count: doc.subcommands.count)
            for sub in doc.subcommands {
                reply.pointee.writeBulkString(sub.name)
                writeDocs(c, sub)
            }
        }
    }

    private static func writeArguments(_ c: CommandContext, _ arguments: [ArgumentDoc]) {
        let reply = c.reply
        reply.pointee.writeArrayHeader(count: arguments.count)
        for argument in arguments {
            var flags: [String] = []
            if argument.optional { flags.append("optional") }
            if argument.multiple { flags.append("multiple") }
            let fields = 2 + (argument.token != nil ? 1 : 0) + (flags.isEmpty ? 0 : 1) + (argument.children.isEmpty ? 0 : 1)
            reply.pointee.writeMapHeader(count: fields)
            reply.pointee.writeBulkString("name")
            reply.pointee.writeBulkString(argument.name)
            reply.pointee.writeBulkString("type")
            reply.pointee.writeBulkString(argument.type)
            if let token = argument.token {
                reply.pointee.writeBulkString("token")
                reply.pointee.writeBulkString(token)
            }
            if !flags.isEmpty {
                reply.pointee.writeBulkString("flags")
                reply.pointee.writeSetHeader(count: flags.count)
                for flag in flags { reply.pointee.writeSimpleString(flag) }
            }
            if !argument.children.isEmpty {
                reply.pointee.writeBulkString("arguments")
                writeArguments(c, argument.children)
            }
        }
    }
}
