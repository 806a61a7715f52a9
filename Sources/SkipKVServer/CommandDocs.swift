/// The documentation side of the command table, for COMMAND, COMMAND INFO and COMMAND DOCS
/// (redis-cli builds its hints from these). Cold path: built on demand from literals.
struct CommandDoc {
    /// As Redis shows it: `get`, or `client|setname` for a subcommand.
    let name: String
    let arity: Int
    let flags: [String]
    let firstKey: Int
    let lastKey: Int
    let step: Int
    let group: String
    let since: String
    let summary: String
    let complexity: String
    let arguments: [ArgumentDoc]
    var subcommands: [CommandDoc] = []

    /// ACL categories, derived the way Redis derives most of them from the flags and group.
    var aclCategories: [String] {
        var categories: [String] = []
        if flags.contains("write") { categories.append("@write") }
        if flags.contains("readonly") { categories.append("@read") }
        if group == "string" { categories.append("@string") }
        if group == "generic" { categories.append("@keyspace") }
        if group == "connection" { categories.append("@connection") }
        if flags.contains("fast") { categories.append("@fast") } else { categories.append("@slow") }
        if group == "server" { categories.append("@admin") }
        return categories
    }
}

/// One argument in COMMAND DOCS form.
struct ArgumentDoc {
    let name: String
    /// `key`, `string`, `integer`, `pattern`, `pure-token`, `oneof` or `block`.
    let type: String
    var token: String? = nil
    var optional = false
    var multiple = false
    var children: [ArgumentDoc] = []

    static func key(_ name: String = "key") -> ArgumentDoc { ArgumentDoc(name: name, type: "key") }
    static func string(_ name: String) -> ArgumentDoc { ArgumentDoc(name: name, type: "string") }
    static func integer(_ name: String) -> ArgumentDoc { ArgumentDoc(name: name, type: "integer") }
    static func pattern(_ name: String = "pattern") -> ArgumentDoc { ArgumentDoc(name: name, type: "pattern") }
    static func flag(_ token: String) -> ArgumentDoc { ArgumentDoc(name: token.lowercased(), type: "pure-token", token: token) }
    static func oneOf(_ name: String, _ children: [ArgumentDoc]) -> ArgumentDoc { ArgumentDoc(name: name, type: "oneof", children: children) }
    static func tokenBlock(_ token: String, _ children: [ArgumentDoc]) -> ArgumentDoc {
        ArgumentDoc(name: token.lowercased(), type: "block", token: token, children: children)
    }
    static func tokenValue(_ token: String, _ value: ArgumentDoc) -> ArgumentDoc {
        var argument = value
        argument.token = token
        return argument
    }

    var isOptional: ArgumentDoc {
        var copy = self
        copy.optional = true
        return copy
    }

    var isMultiple: ArgumentDoc {
        var copy = self
        copy.multiple = true
        return copy
    }
}

extension CommandID {
    /// This command's documentation.
    var doc: CommandDoc {
        let key = ArgumentDoc.key()
        let value = ArgumentDoc.string("value")
        let bounds = [ArgumentDoc.string("min"), ArgumentDoc.string("max")]
        func doc(
            _ flags: [String], keys: (Int, Int, Int) = (0, 0, 0), _ group: String, _ since: String,
            _ summary: String, _ complexity: String, _ arguments: [ArgumentDoc] = []
        ) -> CommandDoc {
            // `denyoom` comes from the table the executor checks, in Redis's place after `write`.
            var flags = flags
            if deniedOnOutOfMemory { flags.insert("denyoom", at: flags.firstIndex(of: "write").map { $0 + 1 } ?? 0) }
            return CommandDoc(name: name, arity: arity, flags: flags, firstKey: keys.0, lastKey: keys.1, step: keys.2,
                       group: group, since: since, summary: summary, complexity: complexity, arguments: arguments)
        }
        let one = (1, 1, 1)
        switch self {
        case .get:
            return doc(["readonly", "fast"], keys: one, "string", "1.0.0", "Returns the string value of a key.", "O(log N)", [key])
        case .set:
            return doc(["write"], keys: one, "string", "1.0.0",
                       "Sets the string value of a key. SkipKV keys do not expire: EX, PX, EXAT, PXAT and KEEPTTL are refused.",
                       "O(log N)", [
                        key, value,
                        .oneOf("condition", [.flag("NX"), .flag("XX")]).isOptional,
                        ArgumentDoc.flag("GET").isOptional,
                       ])
        case .setnx:
            return doc(["write", "fast"], keys: one, "string", "1.0.0", "Sets the value of a key only when the key does not exist.", "O(log N)", [key, value])
        case .getset:
            return doc(["write", "fast"], keys: one, "string", "1.0.0", "Returns the previous string value of a key after setting it to a new value.", "O(log N)", [key, value])
        case .getdel:
            return doc(["write", "fast"], keys: one, "string", "6.2.0", "Returns the string value of a key after deleting the key.", "O(log N)", [key])
        case .mget:
            return doc(["readonly", "fast"], keys: (1, -1, 1), "string", "1.0.0", "Atomically returns the string values of one or more keys.", "O(M log N) where M is the number of keys", [key.isMultiple])
        case .mset:
            return doc(["write"], keys: (1, -1, 2), "string", "1.0.1", "Sets the string values of one or more keys.", "O(M log N) where M is the number of keys",
                       [ArgumentDoc(name: "data", type: "block", multiple: true, children: [key, value])])
        case .del:
            return doc(["write"], keys: (1, -1, 1), "generic", "1.0.0", "Deletes one or more keys.", "O(M log N) where M is the number of keys", [key.isMultiple])
        case .unlink:
            return doc(["write", "fast"], keys: (1, -1, 1), "generic", "4.0.0", "Deletes one or more keys (the same as DEL in SkipKV).", "O(M log N) where M is the number of keys", [key.isMultiple])
        case .exists:
            return doc(["readonly", "fast"], keys: (1, -1, 1), "generic", "1.0.0", "Determines whether one or more keys exist.", "O(M log N) where M is the number of keys", [key.isMultiple])
        case .incr:
            return doc(["write", "fast"], keys: one, "string", "1.0.0", "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "O(log N)", [key])
        case .decr:
            return doc(["write", "fast"], keys: one, "string", "1.0.0", "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "O(log N)", [key])
        case .incrby:
            return doc(["write", "fast"], keys: one, "string", "1.0.0", "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "O(log N)", [key, .integer("increment")])
        case .decrby:
            return doc(["write", "fast"], keys: one, "string", "1.0.0", "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", "O(log N)", [key, .integer("decrement")])
        case .append:
            return doc(["write", "fast"], keys: one, "string", "2.0.0", "Appends a string to the value of a key. Creates the key if it doesn't exist.", "O(log N + M) where M is the value length", [key, value])
        case .strlen:
            return doc(["readonly", "fast"], keys: one, "string", "2.2.0", "Returns the length of a string value.", "O(log N)", [key])
        case .type:
            return doc(["readonly", "fast"], keys: one, "generic", "1.0.0", "Determines the type of value stored at a key.", "O(log N)", [key])
        case .keys:
            return doc(["readonly"], "generic", "1.0.0", "Returns all key names that match a pattern, in key order.", "O(N) over the keys sharing the pattern's literal prefix", [.pattern()])
        case .scan:
            return doc(["readonly"], "generic", "2.8.0", "Iterates over the key names in key order.", "O(COUNT log N) per call", [
                .integer("cursor"),
                ArgumentDoc.tokenValue("MATCH", .pattern()).isOptional,
                ArgumentDoc.tokenValue("COUNT", .integer("count")).isOptional,
                ArgumentDoc.tokenValue("TYPE", .string("type")).isOptional,
            ])
        case .range:
            return doc(["readonly"], "generic", "0.1.0",
                       "Returns the keys and values between min and max ([key inclusive, (key exclusive, - and +), in key order or reversed.",
                       "O(log N + M) where M is the number of entries returned", bounds + [
                        ArgumentDoc.flag("REV").isOptional,
                        ArgumentDoc.tokenBlock("LIMIT", [.integer("offset"), .integer("count")]).isOptional,
                        ArgumentDoc.flag("NOVALUES").isOptional,
                       ])
        case .rangecount:
            return doc(["readonly"], "generic", "0.1.0", "Counts the keys between min and max.", "O(log N + M) where M is the number of keys counted", bounds)
        case .rangedel:
            return doc(["write"], "generic", "0.1.0", "Deletes the keys between min and max.", "O(M log N) where M is the number of keys removed", bounds)
        case .dbsize:
            return doc(["readonly", "fast"], "server", "1.0.0", "Returns the number of keys in the database.", "O(shards)")
        case .flushdb:
            return doc(["write"], "server", "1.0.0", "Removes all keys from the current database.", "O(N)", [.oneOf("flush-type", [.flag("ASYNC"), .flag("SYNC")]).isOptional])
        case .flushall:
            return doc(["write"], "server", "1.0.0", "Removes all keys from all databases.", "O(N)", [.oneOf("flush-type", [.flag("ASYNC"), .flag("SYNC")]).isOptional])
        case .ping:
            return doc(["fast"], "connection", "1.0.0", "Returns the server's liveliness response.", "O(1)", [ArgumentDoc.string("message").isOptional])
        case .echo:
            return doc(["fast"], "connection", "1.0.0", "Returns the given string.", "O(1)", [.string("message")])
        case .quit:
            return doc(["fast", "no-auth"], "connection", "1.0.0", "Closes the connection.", "O(1)")
        case .hello:
            return doc(["fast", "no-auth"], "connection", "6.0.0", "Handshakes with the server.", "O(1)", [
                ArgumentDoc(name: "arguments", type: "block", optional: true, children: [
                    .integer("protover"),
                    ArgumentDoc.tokenBlock("AUTH", [.string("username"), .string("password")]).isOptional,
                    ArgumentDoc.tokenValue("SETNAME", .string("clientname")).isOptional,
                ]),
            ])
        case .auth:
            return doc(["fast", "no-auth"], "connection", "1.0.0", "Authenticates the connection.", "O(N) where N is the password length", [ArgumentDoc.string("username").isOptional, .string("password")])
        case .select:
            return doc(["fast"], "connection", "1.0.0", "Changes the selected database (SkipKV has only database 0).", "O(1)", [.integer("index")])
        case .client:
            var container = doc([], "connection", "2.4.0", "A container for client connection commands.", "Depends on subcommand.")
            container.subcommands = [
                sub("client", "id", 2, "Returns the unique client ID of the connection.", []),
                sub("client", "setname", 3, "Sets the connection name.", [.string("connection-name")]),
                sub("client", "getname", 2, "Returns the name of the connection.", []),
                sub("client", "setinfo", 4, "Sets information specific to the client or connection.", [
                    .oneOf("attr", [ArgumentDoc.tokenValue("LIB-NAME", .string("libname")), ArgumentDoc.tokenValue("LIB-VER", .string("libver"))]),
                ]),
                sub("client", "list", -2, "Lists open connections.", [ArgumentDoc.tokenValue("TYPE", .string("client-type")).isOptional]),
                sub("client", "info", 2, "Returns information about the connection.", []),
                sub("client", "kill", -3, "Terminates open connections.", [
                    .oneOf("filter", [
                        ArgumentDoc.string("ip:port"),
                        ArgumentDoc(name: "new-format", type: "oneof", children: [
                            ArgumentDoc.tokenValue("ID", .integer("client-id")),
                            ArgumentDoc.tokenValue("TYPE", .string("client-type")),
                            ArgumentDoc.tokenValue("USER", .string("username")),
                            ArgumentDoc.tokenValue("ADDR", .string("ip:port")),
                            ArgumentDoc.tokenValue("LADDR", .string("ip:port")),
                            ArgumentDoc.tokenValue("SKIPME", .string("yes/no")),
                        ]).isMultiple,
                    ]),
                ]),
                sub("client", "help", 2, "Returns helpful text about the different subcommands.", []),
            ]
            return container
        case .command:
            var container = doc([], "server", "2.8.13", "Returns detailed information about all commands.", "O(N) where N is the total number of commands")
            container.subcommands = [
                sub("command", "count", 2, "Returns a count of commands.", []),
                sub("command", "docs", -2, "Returns documentary information about one, multiple or all commands.", [ArgumentDoc.string("command-name").isOptional.isMultiple]),
                sub("command", "info", -2, "Returns information about one, multiple or all commands.", [ArgumentDoc.string("command-name").isOptional.isMultiple]),
                sub("command", "list", -2, "Returns a list of command names.", []),
                sub("command", "help", 2, "Returns helpful text about the different subcommands.", []),
            ]
            return container
        case .config:
            var container = doc([], "server", "2.0.0", "A container for server configuration commands.", "Depends on subcommand.")
            container.subcommands = [
                sub("config", "get", -3, "Returns the effective values of configuration parameters.", [ArgumentDoc.pattern("parameter").isMultiple]),
                sub("config", "set", -4, "Sets configuration parameters in-flight.", [
                    ArgumentDoc(name: "data", type: "block", multiple: true, children: [.string("parameter"), .string("value")]),
                ]),
                sub("config", "resetstat", 2, "Resets the server's statistics.", []),
                sub("config", "help", 2, "Returns helpful text about the different subcommands.", []),
            ]
            return container
        case .info:
            return doc([], "server", "1.0.0", "Returns information and statistics about the server.", "O(1)", [ArgumentDoc.string("section").isOptional.isMultiple])
        case .time:
            return doc(["fast"], "server", "2.6.0", "Returns the server time.", "O(1)")
        case .shutdown:
            return doc([], "server", "1.0.0", "Stops the server after writing pending replies.", "O(N) where N is the number of clients", [
                .oneOf("save-selector", [.flag("NOSAVE"), .flag("SAVE")]).isOptional,
                ArgumentDoc.flag("NOW").isOptional, ArgumentDoc.flag("FORCE").isOptional,
            ])
        case .save:
            return doc(["admin", "noscript", "no_async_loading", "no_multi"], "server", "1.0.0",
                       "Synchronously saves the database(s) to disk.", "O(N) where N is the total number of keys in all databases")
        case .bgsave:
            return doc(["admin", "noscript", "no_async_loading"], "server", "1.0.0",
                       "Asynchronously saves the database(s) to disk.", "O(1)", [ArgumentDoc.flag("SCHEDULE").isOptional])
        case .bgrewriteaof:
            return doc(["admin", "noscript", "no_async_loading"], "server", "1.0.0",
                       "Asynchronously rewrites the append-only file to disk.", "O(1)")
        case .lastsave:
            return doc(["loading", "stale", "fast"], "server", "1.0.0",
                       "Returns the Unix timestamp of the last successful save to disk.", "O(1)")
        case .memory:
            var container = doc([], "server", "4.0.0", "A container for memory diagnostics commands.", "Depends on subcommand.")
            container.subcommands = [
                sub("memory", "usage", -3, "Estimates the memory usage of a key.", [
                    .key(), ArgumentDoc.tokenValue("SAMPLES", .integer("count")).isOptional,
                ]),
                sub("memory", "stats", 2, "Returns details about memory usage.", []),
                sub("memory", "malloc-stats", 2, "Returns the allocator statistics.", []),
                sub("memory", "purge", 2, "Asks the allocator to release memory.", []),
                sub("memory", "help", 2, "Returns helpful text about the different subcommands.", []),
            ]
            return container
        }
    }

    private func sub(_ parent: String, _ name: String, _ arity: Int, _ summary: String, _ arguments: [ArgumentDoc]) -> CommandDoc {
        CommandDoc(name: "\(parent)|\(name)", arity: arity, flags: [], firstKey: 0, lastKey: 0, step: 0,
                   group: parent == "client" ? "connection" : "server", since: "2.4.0", summary: summary,
                   complexity: "O(1)", arguments: arguments)
    }
}
