import SkipKVProtocol

/// COMMAND [COUNT | INFO [name...] | DOCS [name...] | LIST | GETKEYS command [arg...] | HELP],
/// in Redis 7's reply shapes, all read from `CommandTable`.
enum CommandCommand {
    /// COMMAND alone: every command's COMMAND INFO entry.
    static func all(_ c: CommandContext) {
        let table = CommandTable.shared
        writeInfos(c, table.commands.map { Optional($0.spec) })
    }

    static func count(_ c: CommandContext) {
        c.reply.pointee.writeInteger(CommandTable.shared.commandCount)
    }

    static func info(_ c: CommandContext) {
        writeInfos(c, requested(c).map { $0?.spec })
    }

    static func docs(_ c: CommandContext) {
        let specs = requested(c).compactMap { $0?.spec }
        c.reply.pointee.writeMapHeader(count: specs.count)
        for spec in specs {
            c.reply.pointee.writeBulkString(spec.name)
            writeDocs(c, spec)
        }
    }

    /// Every command and subcommand name, as Redis lists them. FILTERBY is not supported.
    static func list(_ c: CommandContext) {
        guard c.count == 2 else { return c.error(ErrorText.syntax) }
        let table = CommandTable.shared
        c.reply.pointee.writeArrayHeader(count: table.specs.count)
        for spec in table.specs { c.reply.pointee.writeBulkString(spec.name) }
    }

    /// COMMAND GETKEYS command [arg...]: the arguments the command's key positions name.
    static func getkeys(_ c: CommandContext) {
        let table = CommandTable.shared
        guard var command = table.find(c.argument(2)) else { return c.error("ERR Invalid command specified") }
        let count = c.count - 2
        if !table.specs[command.rawValue].subcommands.isEmpty && count >= 2 {
            guard let subcommand = table.findSubcommand(c.argument(3), of: command) else {
                return c.error("ERR Invalid command specified")
            }
            command = subcommand
        }
        let spec = command.spec
        guard spec.accepts(argumentCount: count) else {
            return c.error("ERR Invalid number of arguments specified for command")
        }
        let positions = spec.keys.positions(argumentCount: count)
        guard !positions.isEmpty else { return c.error("ERR The command has no key arguments") }
        c.reply.pointee.writeArrayHeader(count: positions.count)
        for position in positions { c.reply.pointee.writeBulkString(c.argument(2 + position)) }
    }

    static func help(_ c: CommandContext) {
        ClientCommands.writeHelp(c, [
            "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "(no subcommand)", "    Return details about all commands.",
            "COUNT", "    Return the total number of commands in this server.",
            "LIST", "    Return a list of all commands in this server.",
            "INFO [<command-name> ...]", "    Return details about multiple commands.",
            "DOCS [<command-name> ...]", "    Return documentation details about multiple commands.",
            "GETKEYS <full-command>", "    Return the keys from a full command.",
            "HELP", "    Print this help.",
        ])
    }

    /// The commands named from argument 2 on (nil for an unknown name), or every command.
    private static func requested(_ c: CommandContext) -> [CommandID?] {
        let table = CommandTable.shared
        return c.count == 2 ? table.commands : (2..<c.count).map { table.find(named: c.string($0)) }
    }

    private static func writeInfos(_ c: CommandContext, _ specs: [CommandSpec?]) {
        c.reply.pointee.writeArrayHeader(count: specs.count)
        for spec in specs {
            if let spec { writeInfo(c, spec) } else { c.reply.pointee.writeNull() }
        }
    }

    /// The 10-element COMMAND INFO entry: name, arity, flags, first key, last key, step,
    /// ACL categories, tips, key specs, subcommands.
    private static func writeInfo(_ c: CommandContext, _ spec: CommandSpec) {
        let reply = c.reply
        reply.pointee.writeArrayHeader(count: 10)
        reply.pointee.writeBulkString(spec.name)
        reply.pointee.writeInteger(spec.arity)
        let flags = spec.flags.names
        reply.pointee.writeSetHeader(count: flags.count)
        for flag in flags { reply.pointee.writeSimpleString(flag) }
        reply.pointee.writeInteger(spec.keys.first)
        reply.pointee.writeInteger(spec.keys.last)
        reply.pointee.writeInteger(spec.keys.step)
        let categories = spec.aclCategories.names
        reply.pointee.writeSetHeader(count: categories.count)
        for category in categories { reply.pointee.writeSimpleString(category) }
        // Tips (a set, as Redis sends it): none.
        reply.pointee.writeSetHeader(count: 0)
        writeKeySpecs(c, spec.keys)
        // Redis answers no subcommands with an empty set (`~0` in RESP3), some with an array.
        if spec.subcommands.isEmpty {
            reply.pointee.writeSetHeader(count: 0)
        } else {
            reply.pointee.writeArrayHeader(count: spec.subcommands.count)
        }
        for sub in spec.subcommands { writeInfo(c, sub) }
    }

    /// Redis 7's key specs for the legacy key positions (`KeyPositions.specs`): each finds
    /// its first key by index and the rest by range. A set in RESP3, as Redis sends it.
    private static func writeKeySpecs(_ c: CommandContext, _ keys: KeyPositions) {
        let reply = c.reply
        let specs = keys.specs
        reply.pointee.writeSetHeader(count: specs.count)
        for spec in specs {
            reply.pointee.writeMapHeader(count: spec.notes == nil ? 3 : 4)
            if let notes = spec.notes {
                reply.pointee.writeBulkString("notes")
                reply.pointee.writeBulkString(notes)
            }
            reply.pointee.writeBulkString("flags")
            let flags = spec.access.names
            reply.pointee.writeSetHeader(count: flags.count)
            for flag in flags { reply.pointee.writeSimpleString(flag) }
            reply.pointee.writeBulkString("begin_search")
            writeSearchStep(c, type: "index", [("index", spec.index)])
            reply.pointee.writeBulkString("find_keys")
            writeSearchStep(c, type: "range", [("lastkey", spec.lastKey), ("keystep", keys.step), ("limit", 0)])
        }
    }

    /// `{type: <type>, spec: {<name>: <value>, …}}`.
    private static func writeSearchStep(_ c: CommandContext, type: String, _ fields: [(String, Int)]) {
        let reply = c.reply
        reply.pointee.writeMapHeader(count: 2)
        reply.pointee.writeBulkString("type")
        reply.pointee.writeBulkString(type)
        reply.pointee.writeBulkString("spec")
        reply.pointee.writeMapHeader(count: fields.count)
        for (name, value) in fields {
            reply.pointee.writeBulkString(name)
            reply.pointee.writeInteger(value)
        }
    }

    /// The COMMAND DOCS map of one command.
    private static func writeDocs(_ c: CommandContext, _ doc: CommandSpec) {
        let reply = c.reply
        let hasArguments = !doc.arguments.isEmpty
        let hasSubcommands = !doc.subcommands.isEmpty
        reply.pointee.writeMapHeader(count: 4 + (hasArguments ? 1 : 0) + (hasSubcommands ? 1 : 0))
        for (field, value) in [("summary", doc.summary), ("since", doc.since), ("group", doc.group.rawValue), ("complexity", doc.complexity)] {
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
