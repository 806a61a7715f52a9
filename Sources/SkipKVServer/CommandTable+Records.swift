/// Every command SkipKV understands, one record each (subcommands as records inside their
/// container's). Everything else is derived from here: the name lookup (`CommandLookup`),
/// the executor's arity, authentication, loading, -OOM and -MISCONF checks (`CommandEntry`),
/// COMMAND, COMMAND INFO/DOCS/COUNT/LIST/GETKEYS, INFO commandstats and CLIENT LIST's `cmd=`.
/// Flags, key positions and ACL categories follow Redis 7 for the commands Redis also has
/// (SkipKVServerUnitTests compares them with a running redis-server).
///
/// To add a command: write its handler, add its record here. Nothing else.
extension CommandTable {
    static let records: [CommandSpec] = strings + expiry + keyspace + connection + server + persistence + bitmaps + transactions

    private static let key = ArgumentDoc.key()
    private static let value = ArgumentDoc.string("value")
    private static let bounds = [ArgumentDoc.string("min"), ArgumentDoc.string("max")]
    private static let logN = "O(log N)"
    private static let perKey = "O(M log N) where M is the number of keys"
    private static let rangeLength = "O(log N + M) where M is the length of the returned string"
    /// What Redis's connection-handshake commands share.
    private static let handshake: CommandFlags = [.noscript, .loading, .stale, .fast, .noAuth, .allowBusy]
    private static let help = "Returns helpful text about the different subcommands."

    /// SET's and GETEX's EX, PX, EXAT and PXAT.
    private static let timeOptions = [
        ArgumentDoc.tokenValue("EX", .integer("seconds")), ArgumentDoc.tokenValue("PX", .integer("milliseconds")),
        ArgumentDoc.tokenValue("EXAT", ArgumentDoc(name: "unix-time-seconds", type: "unix-time")),
        ArgumentDoc.tokenValue("PXAT", ArgumentDoc(name: "unix-time-milliseconds", type: "unix-time")),
    ]
    private static let expireConditions = ArgumentDoc.oneOf("condition", [.flag("NX"), .flag("XX"), .flag("GT"), .flag("LT")]).isOptional

    private static func expireSpec(_ name: String, _ time: ArgumentDoc, since: String, summary: String,
                                   handler: @escaping CommandHandler) -> CommandSpec {
        CommandSpec(name, arity: -3, [.write, .fast], keys: .one([.readWrite, .update]), group: .generic, since: since,
                    summary: summary, complexity: logN, arguments: [key, time, expireConditions], handler: handler)
    }

    private static func ttlSpec(_ name: String, since: String, summary: String, handler: @escaping CommandHandler) -> CommandSpec {
        CommandSpec(name, arity: 2, [.readonly, .fast], keys: .one([.readOnly, .access]), group: .generic, since: since,
                    summary: summary, complexity: logN, arguments: [key], handler: handler)
    }

    private static let expiry: [CommandSpec] = [
        expireSpec("expire", .integer("seconds"), since: "1.0.0",
                   summary: "Sets the expiration time of a key in seconds.", handler: ExpiryCommands.expire),
        expireSpec("pexpire", .integer("milliseconds"), since: "2.6.0",
                   summary: "Sets the expiration time of a key in milliseconds.", handler: ExpiryCommands.pexpire),
        expireSpec("expireat", ArgumentDoc(name: "unix-time-seconds", type: "unix-time"), since: "1.2.0",
                   summary: "Sets the expiration time of a key to a Unix timestamp.", handler: ExpiryCommands.expireat),
        expireSpec("pexpireat", ArgumentDoc(name: "unix-time-milliseconds", type: "unix-time"), since: "2.6.0",
                   summary: "Sets the expiration time of a key to a Unix milliseconds timestamp.", handler: ExpiryCommands.pexpireat),
        ttlSpec("ttl", since: "1.0.0", summary: "Returns the expiration time in seconds of a key.", handler: ExpiryCommands.ttl),
        ttlSpec("pttl", since: "2.6.0", summary: "Returns the expiration time in milliseconds of a key.", handler: ExpiryCommands.pttl),
        ttlSpec("expiretime", since: "7.0.0", summary: "Returns the expiration time of a key as a Unix timestamp.",
                handler: ExpiryCommands.expiretime),
        ttlSpec("pexpiretime", since: "7.0.0", summary: "Returns the expiration time of a key as a Unix milliseconds timestamp.",
                handler: ExpiryCommands.pexpiretime),
        CommandSpec("persist", arity: 2, [.write, .fast], keys: .one([.readWrite, .update]), group: .generic, since: "2.2.0",
                    summary: "Removes the expiration time of a key.", complexity: logN, arguments: [key],
                    handler: ExpiryCommands.persist),
        CommandSpec("setex", arity: 4, [.write, .denyoom], keys: .one([.overwrite, .update]), group: .string, since: "2.0.0",
                    summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
                    complexity: logN, arguments: [key, .integer("seconds"), value], handler: ExpiryCommands.setex),
        CommandSpec("psetex", arity: 4, [.write, .denyoom], keys: .one([.overwrite, .update]), group: .string, since: "2.6.0",
                    summary: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.",
                    complexity: logN, arguments: [key, .integer("milliseconds"), value], handler: ExpiryCommands.psetex),
        CommandSpec("getex", arity: -2, [.write, .fast], keys: KeyPositions(
                        first: 1, last: 1, step: 1, access: [.readWrite, .access, .update],
                        notes: "RW and UPDATE because it changes the TTL"), group: .string, since: "6.2.0",
                    summary: "Returns the string value of a key after setting its expiration time.", complexity: logN,
                    arguments: [key, ArgumentDoc.oneOf("expiration", timeOptions + [.flag("PERSIST")]).isOptional],
                    handler: ExpiryCommands.getex),
    ]

    private static let strings: [CommandSpec] = [
        CommandSpec("get", arity: 2, [.readonly, .fast], keys: .one([.readOnly, .access]), group: .string, since: "1.0.0",
                    summary: "Returns the string value of a key.", complexity: logN, arguments: [key],
                    handler: StringCommands.get),
        CommandSpec("set", arity: -3, [.write, .denyoom], keys: KeyPositions(
                        first: 1, last: 1, step: 1, access: [.readWrite, .access, .update, .variableFlags],
                        notes: "RW and ACCESS due to the optional `GET` argument"), group: .string, since: "1.0.0",
                    summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
                    complexity: logN, arguments: [
                        key, value,
                        .oneOf("condition", [.flag("NX"), .flag("XX")]).isOptional,
                        ArgumentDoc.flag("GET").isOptional,
                        ArgumentDoc.oneOf("expiration", timeOptions + [.flag("KEEPTTL")]).isOptional,
                    ], handler: StringCommands.set),
        CommandSpec("setnx", arity: 3, [.write, .denyoom, .fast], keys: .one([.overwrite, .insert]), group: .string, since: "1.0.0",
                    summary: "Sets the value of a key only when the key does not exist.", complexity: logN,
                    arguments: [key, value], handler: StringCommands.setnx),
        CommandSpec("getset", arity: 3, [.write, .denyoom, .fast], keys: .one([.readWrite, .access, .update]), group: .string, since: "1.0.0",
                    summary: "Returns the previous string value of a key after setting it to a new value.",
                    complexity: logN, arguments: [key, value], handler: StringCommands.getset),
        CommandSpec("getdel", arity: 2, [.write, .fast], keys: .one([.readWrite, .access, .delete]), group: .string, since: "6.2.0",
                    summary: "Returns the string value of a key after deleting the key.", complexity: logN,
                    arguments: [key], handler: StringCommands.getdel),
        CommandSpec("mget", arity: -2, [.readonly, .fast], keys: .all([.readOnly, .access]), group: .string, since: "1.0.0",
                    summary: "Atomically returns the string values of one or more keys.", complexity: perKey,
                    arguments: [key.isMultiple], handler: StringCommands.mget),
        CommandSpec("mset", arity: -3, [.write, .denyoom], keys: KeyPositions(first: 1, last: -1, step: 2, access: [.overwrite, .update]),
                    group: .string, since: "1.0.1", summary: "Sets the string values of one or more keys.",
                    complexity: perKey,
                    arguments: [ArgumentDoc(name: "data", type: "block", multiple: true, children: [key, value])],
                    handler: StringCommands.mset),
        CommandSpec("incr", arity: 2, [.write, .denyoom, .fast], keys: .one([.readWrite, .access, .update]), group: .string, since: "1.0.0",
                    summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
                    complexity: logN, arguments: [key], handler: StringCommands.incr),
        CommandSpec("decr", arity: 2, [.write, .denyoom, .fast], keys: .one([.readWrite, .access, .update]), group: .string, since: "1.0.0",
                    summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
                    complexity: logN, arguments: [key], handler: StringCommands.decr),
        CommandSpec("incrby", arity: 3, [.write, .denyoom, .fast], keys: .one([.readWrite, .access, .update]), group: .string, since: "1.0.0",
                    summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
                    complexity: logN, arguments: [key, .integer("increment")], handler: StringCommands.incrby),
        CommandSpec("decrby", arity: 3, [.write, .denyoom, .fast], keys: .one([.readWrite, .access, .update]), group: .string, since: "1.0.0",
                    summary: "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.",
                    complexity: logN, arguments: [key, .integer("decrement")], handler: StringCommands.decrby),
        CommandSpec("append", arity: 3, [.write, .denyoom, .fast], keys: .one([.readWrite, .insert]), group: .string, since: "2.0.0",
                    summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.",
                    complexity: "O(log N + M) where M is the value length", arguments: [key, value],
                    handler: StringCommands.append),
        CommandSpec("strlen", arity: 2, [.readonly, .fast], keys: .one(.readOnly), group: .string, since: "2.2.0",
                    summary: "Returns the length of a string value.", complexity: logN, arguments: [key],
                    handler: StringCommands.strlen),
        CommandSpec("incrbyfloat", arity: 3, [.write, .denyoom, .fast], keys: .one([.readWrite, .access, .update]), group: .string,
                    since: "2.6.0", summary: "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
                    complexity: logN, arguments: [key, .string("increment")], handler: StringCommands.incrbyfloat),
        CommandSpec("getrange", arity: 4, [.readonly], keys: .one([.readOnly, .access]), group: .string, since: "2.4.0",
                    summary: "Returns a substring of the string stored at a key.", complexity: rangeLength,
                    arguments: [key, .integer("start"), .integer("end")], handler: StringCommands.getrange),
        CommandSpec("substr", arity: 4, [.readonly], keys: .one([.readOnly, .access]), group: .string, since: "1.0.0",
                    summary: "Returns a substring from a string value (deprecated: use GETRANGE).", complexity: rangeLength,
                    arguments: [key, .integer("start"), .integer("end")], handler: StringCommands.getrange),
        CommandSpec("setrange", arity: 4, [.write, .denyoom], keys: .one([.readWrite, .update]), group: .string, since: "2.2.0",
                    summary: "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.",
                    complexity: "O(log N + M) where M is the resulting length",
                    arguments: [key, .integer("offset"), value], handler: StringCommands.setrange),
        CommandSpec("msetnx", arity: -3, [.write, .denyoom], keys: KeyPositions(first: 1, last: -1, step: 2, access: [.overwrite, .insert]),
                    group: .string, since: "1.0.1", summary: "Atomically modifies the string values of one or more keys only when all keys don't exist.",
                    complexity: perKey,
                    arguments: [ArgumentDoc(name: "data", type: "block", multiple: true, children: [key, value])],
                    handler: StringCommands.msetnx),
        CommandSpec("lcs", arity: -3, [.readonly], keys: KeyPositions(first: 1, last: 2, step: 1, access: [.readOnly, .access]),
                    group: .string, since: "7.0.0", summary: "Finds the longest common substring.",
                    complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
                    arguments: [
                        .key("key1"), .key("key2"), ArgumentDoc.flag("LEN").isOptional, ArgumentDoc.flag("IDX").isOptional,
                        ArgumentDoc.tokenValue("MINMATCHLEN", .integer("min-match-len")).isOptional,
                        ArgumentDoc.flag("WITHMATCHLEN").isOptional,
                    ], handler: StringCommands.lcs),
    ]

    /// What MULTI, DISCARD, WATCH and UNWATCH share (EXEC is not fast and skips the slow log).
    private static let transactionFlags: CommandFlags = [.noscript, .loading, .stale, .fast, .allowBusy]

    private static let transactions: [CommandSpec] = [
        CommandSpec("multi", arity: 1, transactionFlags, group: .transactions, since: "1.2.0",
                    summary: "Starts a transaction.", complexity: "O(1)", transactionRole: .immediate,
                    handler: TransactionCommands.multi),
        CommandSpec("exec", arity: 1, [.noscript, .loading, .stale, .skipSlowlog], group: .transactions, since: "1.2.0",
                    summary: "Executes all commands in a transaction.", complexity: "Depends on commands in the transaction",
                    transactionRole: .exec, handler: TransactionCommands.exec),
        CommandSpec("discard", arity: 1, transactionFlags, group: .transactions, since: "2.0.0",
                    summary: "Discards a transaction.", complexity: "O(N), when N is the number of queued commands",
                    transactionRole: .leaves, handler: TransactionCommands.discard),
        CommandSpec("watch", arity: -2, transactionFlags, keys: .all(.readOnly), group: .transactions, since: "2.2.0",
                    summary: "Monitors changes to keys to determine the execution of a transaction.",
                    complexity: "O(1) for every key.", arguments: [key.isMultiple], transactionRole: .immediate,
                    handler: TransactionCommands.watch),
        CommandSpec("unwatch", arity: 1, transactionFlags, group: .transactions, since: "2.2.0",
                    summary: "Forgets about watched keys of a transaction.", complexity: "O(1)",
                    handler: TransactionCommands.unwatch),
        // The range's bounds are not keys (as RANGE's): they name no key a cluster could route by.
        CommandSpec("watchrange", arity: 3, transactionFlags, group: .transactions, since: "0.1.0",
                    summary: "Monitors changes to the keys between min and max ([key inclusive, (key exclusive, - and +) to determine the execution of a transaction.",
                    complexity: "O(1); EXEC then O(log N + M) where M is the number of keys in the range",
                    arguments: bounds, transactionRole: .immediate, handler: TransactionCommands.watchrange),
    ]

    private static let keyspace: [CommandSpec] = [
        CommandSpec("del", arity: -2, [.write], keys: .all([.remove, .delete]), group: .generic, since: "1.0.0",
                    summary: "Deletes one or more keys.", complexity: perKey, arguments: [key.isMultiple],
                    handler: KeyspaceCommands.del),
        CommandSpec("unlink", arity: -2, [.write, .fast], keys: .all([.remove, .delete]), group: .generic, since: "4.0.0",
                    summary: "Deletes one or more keys (the same as DEL in SkipKV).", complexity: perKey,
                    arguments: [key.isMultiple], handler: KeyspaceCommands.del),
        CommandSpec("exists", arity: -2, [.readonly, .fast], keys: .all(.readOnly), group: .generic, since: "1.0.0",
                    summary: "Determines whether one or more keys exist.", complexity: perKey,
                    arguments: [key.isMultiple], handler: KeyspaceCommands.exists),
        CommandSpec("type", arity: 2, [.readonly, .fast], keys: .one(.readOnly), group: .generic, since: "1.0.0",
                    summary: "Determines the type of value stored at a key.", complexity: logN, arguments: [key],
                    handler: StringCommands.type),
        CommandSpec("keys", arity: 2, [.readonly], group: .generic, categories: [.keyspace, .dangerous],
                    since: "1.0.0", summary: "Returns all key names that match a pattern, in key order.",
                    complexity: "O(N) over the keys sharing the pattern's literal prefix", arguments: [.pattern()],
                    wholeKeyspace: true, handler: KeyspaceCommands.keys),
        CommandSpec("scan", arity: -2, [.readonly], group: .generic, since: "2.8.0",
                    summary: "Iterates over the key names in key order.", complexity: "O(COUNT log N) per call",
                    arguments: [
                        .integer("cursor"),
                        ArgumentDoc.tokenValue("MATCH", .pattern()).isOptional,
                        ArgumentDoc.tokenValue("COUNT", .integer("count")).isOptional,
                        ArgumentDoc.tokenValue("TYPE", .string("type")).isOptional,
                    ], wholeKeyspace: true, handler: KeyspaceCommands.scan),
        // The range commands' bounds are not keys: they name no key a cluster could route by.
        CommandSpec("range", arity: -3, [.readonly], group: .generic, since: "0.1.0",
                    summary: "Returns the keys and values between min and max ([key inclusive, (key exclusive, - and +), in key order or reversed.",
                    complexity: "O(log N + M) where M is the number of entries returned", arguments: bounds + [
                        ArgumentDoc.flag("REV").isOptional,
                        ArgumentDoc.tokenBlock("LIMIT", [.integer("offset"), .integer("count")]).isOptional,
                        ArgumentDoc.flag("NOVALUES").isOptional,
                    ], wholeKeyspace: true, handler: RangeCommands.range),
        CommandSpec("rangecount", arity: 3, [.readonly], group: .generic, since: "0.1.0",
                    summary: "Counts the keys between min and max.",
                    complexity: "O(log N + M) where M is the number of keys counted", arguments: bounds,
                    wholeKeyspace: true, handler: RangeCommands.rangecount),
        CommandSpec("rangedel", arity: 3, [.write], group: .generic, since: "0.1.0",
                    summary: "Deletes the keys between min and max.",
                    complexity: "O(M log N) where M is the number of keys removed", arguments: bounds,
                    wholeKeyspace: true, handler: RangeCommands.rangedel),
        CommandSpec("dbsize", arity: 1, [.readonly, .fast], group: .server, categories: .keyspace, since: "1.0.0",
                    summary: "Returns the number of keys in the database.", complexity: "O(shards)",
                    wholeKeyspace: true, handler: KeyspaceCommands.dbsize),
        CommandSpec("flushdb", arity: -1, [.write], group: .server, categories: [.keyspace, .dangerous],
                    since: "1.0.0", summary: "Removes all keys from the current database.", complexity: "O(N)",
                    arguments: [.oneOf("flush-type", [.flag("ASYNC"), .flag("SYNC")]).isOptional],
                    wholeKeyspace: true, handler: KeyspaceCommands.flush),
        CommandSpec("flushall", arity: -1, [.write], group: .server, categories: [.keyspace, .dangerous],
                    since: "1.0.0", summary: "Removes all keys from all databases.", complexity: "O(N)",
                    arguments: [.oneOf("flush-type", [.flag("ASYNC"), .flag("SYNC")]).isOptional],
                    wholeKeyspace: true, handler: KeyspaceCommands.flush),
        CommandSpec("rename", arity: 3, [.write], keys: .sourceAndDestination([.readWrite, .access, .delete], [.overwrite, .update]),
                    group: .generic, since: "1.0.0", summary: "Renames a key and overwrites the destination.",
                    complexity: logN, arguments: [.key("key"), .key("newkey")], handler: RenameCommands.rename),
        CommandSpec("renamenx", arity: 3, [.write, .fast], keys: .sourceAndDestination([.readWrite, .access, .delete], [.overwrite, .insert]),
                    group: .generic, since: "1.0.0", summary: "Renames a key only when the target key name doesn't exist.",
                    complexity: logN, arguments: [.key("key"), .key("newkey")], handler: RenameCommands.renamenx),
        CommandSpec("copy", arity: -3, [.write, .denyoom], keys: .sourceAndDestination([.readOnly, .access], [.overwrite, .update]),
                    group: .generic, since: "6.2.0",
                    summary: "Copies the value of a key to a new key. There is one database: DB other than 0 is refused.",
                    complexity: logN, arguments: [
                        .key("source"), .key("destination"),
                        ArgumentDoc.tokenValue("DB", .integer("destination-db")).isOptional,
                        ArgumentDoc.flag("REPLACE").isOptional,
                    ], handler: RenameCommands.copy),
        CommandSpec("touch", arity: -2, [.readonly, .fast], keys: .all(.readOnly), group: .generic, since: "3.2.1",
                    summary: "Returns the number of existing keys out of those specified after updating the time they were last accessed.",
                    complexity: perKey, arguments: [key.isMultiple], handler: KeyspaceCommands.touch),
        CommandSpec("randomkey", arity: 1, [.readonly], group: .generic, since: "1.0.0",
                    summary: "Returns a random key name from the database.",
                    complexity: "O(log N + N/B): a walk over the nodes of one shard's bottom level",
                    wholeKeyspace: true, handler: KeyspaceCommands.randomkey),
        object, slowlog,
    ]

    private static let object = CommandSpec(
        "object", arity: -2, [], group: .generic, categories: [], since: "2.2.3",
        summary: "A container for object introspection commands.", complexity: "Depends on subcommand.",
        subcommands: [
            CommandSpec("object|encoding", arity: 3, [.readonly], keys: KeyPositions(first: 2, last: 2, step: 1, access: .readOnly),
                        group: .generic, since: "2.2.3", summary: "Returns the internal encoding of a string value: int, embstr or raw, by Redis's rules.",
                        complexity: logN, arguments: [key], handler: ObjectCommand.encoding),
            CommandSpec("object|refcount", arity: 3, [.readonly], keys: KeyPositions(first: 2, last: 2, step: 1, access: .readOnly),
                        group: .generic, since: "2.2.3", summary: "Returns the reference count of a value, as Redis would report it.",
                        complexity: logN, arguments: [key], handler: ObjectCommand.refcount),
            CommandSpec("object|idletime", arity: 3, [.readonly], keys: KeyPositions(first: 2, last: 2, step: 1, access: .readOnly),
                        group: .generic, since: "2.2.3", summary: "Returns the time since the last access to a key (LRU policies).",
                        complexity: logN, arguments: [key], handler: ObjectCommand.idletime),
            CommandSpec("object|freq", arity: 3, [.readonly], keys: KeyPositions(first: 2, last: 2, step: 1, access: .readOnly),
                        group: .generic, since: "4.0.0", summary: "Returns the logarithmic access frequency counter of a key (LFU policies).",
                        complexity: logN, arguments: [key], handler: ObjectCommand.freq),
            CommandSpec("object|help", arity: 2, [.loading, .stale], group: .generic, since: "6.2.0",
                        summary: help, complexity: "O(1)", handler: ObjectCommand.help),
        ], handler: nil)

    private static let slowlog = CommandSpec(
        "slowlog", arity: -2, [], group: .server, since: "2.2.12",
        summary: "A container for slow log commands.", complexity: "Depends on subcommand.",
        subcommands: [
            CommandSpec("slowlog|get", arity: -2, [.admin, .loading, .stale], group: .server, since: "2.2.12",
                        summary: "Returns the slow log's entries.", complexity: "O(N) where N is the number of entries returned",
                        arguments: [ArgumentDoc.integer("count").isOptional], handler: SlowlogCommand.get),
            CommandSpec("slowlog|len", arity: 2, [.admin, .loading, .stale], group: .server, since: "2.2.12",
                        summary: "Returns the number of entries in the slow log.", complexity: "O(1)", handler: SlowlogCommand.len),
            CommandSpec("slowlog|reset", arity: 2, [.admin, .loading, .stale], group: .server, since: "2.2.12",
                        summary: "Clears all entries from the slow log.", complexity: "O(N) where N is the number of entries in the slowlog",
                        handler: SlowlogCommand.reset),
            CommandSpec("slowlog|help", arity: 2, [.loading, .stale], group: .server, since: "6.2.0",
                        summary: help, complexity: "O(1)", handler: SlowlogCommand.help),
        ], handler: nil)

    private static let connection: [CommandSpec] = [
        CommandSpec("ping", arity: -1, [.fast], group: .connection, since: "1.0.0",
                    summary: "Returns the server's liveliness response.", complexity: "O(1)",
                    arguments: [ArgumentDoc.string("message").isOptional], handler: ConnectionCommands.ping),
        CommandSpec("echo", arity: 2, [.loading, .stale, .fast], group: .connection, since: "1.0.0",
                    summary: "Returns the given string.", complexity: "O(1)", arguments: [.string("message")],
                    handler: ConnectionCommands.echo),
        CommandSpec("quit", arity: -1, handshake, group: .connection, since: "1.0.0",
                    summary: "Closes the connection.", complexity: "O(1)", transactionRole: .leaves, handler: ConnectionCommands.quit),
        CommandSpec("hello", arity: -1, handshake, group: .connection, since: "6.0.0",
                    summary: "Handshakes with the server.", complexity: "O(1)", arguments: [
                        ArgumentDoc(name: "arguments", type: "block", optional: true, children: [
                            .integer("protover"),
                            ArgumentDoc.tokenBlock("AUTH", [.string("username"), .string("password")]).isOptional,
                            ArgumentDoc.tokenValue("SETNAME", .string("clientname")).isOptional,
                        ]),
                    ], handler: ConnectionCommands.hello),
        CommandSpec("auth", arity: -2, handshake, group: .connection, since: "1.0.0",
                    summary: "Authenticates the connection.", complexity: "O(N) where N is the password length",
                    arguments: [ArgumentDoc.string("username").isOptional, .string("password")],
                    handler: ConnectionCommands.auth),
        CommandSpec("select", arity: 2, [.loading, .stale, .fast], group: .connection, since: "1.0.0",
                    summary: "Changes the selected database (SkipKV has only database 0).", complexity: "O(1)",
                    arguments: [.integer("index")], handler: ConnectionCommands.select),
        client,
    ]

    private static let clientFlags: CommandFlags = [.noscript, .loading, .stale]
    private static let client = CommandSpec(
        "client", arity: -2, [], group: .connection, categories: [], since: "2.4.0",
        summary: "A container for client connection commands.", complexity: "Depends on subcommand.",
        subcommands: [
            CommandSpec("client|id", arity: 2, clientFlags, group: .connection, since: "5.0.0",
                        summary: "Returns the unique client ID of the connection.", complexity: "O(1)",
                        handler: ClientCommands.id),
            CommandSpec("client|setname", arity: 3, clientFlags, group: .connection, since: "2.6.9",
                        summary: "Sets the connection name.", complexity: "O(1)",
                        arguments: [.string("connection-name")], handler: ClientCommands.setName),
            CommandSpec("client|getname", arity: 2, clientFlags, group: .connection, since: "2.6.9",
                        summary: "Returns the name of the connection.", complexity: "O(1)",
                        handler: ClientCommands.getName),
            CommandSpec("client|setinfo", arity: 4, clientFlags, group: .connection, since: "7.2.0",
                        summary: "Sets information specific to the client or connection.", complexity: "O(1)",
                        arguments: [
                            .oneOf("attr", [ArgumentDoc.tokenValue("LIB-NAME", .string("libname")),
                                            ArgumentDoc.tokenValue("LIB-VER", .string("libver"))]),
                        ], handler: ClientCommands.setInfo),
            CommandSpec("client|list", arity: -2, clientFlags.union(.admin), group: .connection, since: "2.4.0",
                        summary: "Lists open connections.", complexity: "O(N) where N is the number of client connections",
                        arguments: [ArgumentDoc.tokenValue("TYPE", .string("client-type")).isOptional],
                        handler: ClientCommands.list),
            CommandSpec("client|info", arity: 2, clientFlags, group: .connection, since: "6.2.0",
                        summary: "Returns information about the connection.", complexity: "O(1)",
                        handler: ClientCommands.info),
            CommandSpec("client|kill", arity: -3, clientFlags.union(.admin), group: .connection, since: "2.4.0",
                        summary: "Terminates open connections.", complexity: "O(N) where N is the number of client connections",
                        arguments: [
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
                        ], handler: ClientCommands.kill),
            CommandSpec("client|help", arity: 2, [.loading, .stale], group: .connection, since: "5.0.0",
                        summary: help, complexity: "O(1)", handler: ClientCommands.help),
        ], handler: nil)

    private static let commandFlags: CommandFlags = [.loading, .stale]
    private static let names = ArgumentDoc.string("command-name").isOptional.isMultiple
    private static let command = CommandSpec(
        "command", arity: -1, commandFlags, group: .server, categories: .connection, since: "2.8.13",
        summary: "Returns detailed information about all commands.",
        complexity: "O(N) where N is the total number of commands",
        subcommands: [
            CommandSpec("command|count", arity: 2, commandFlags, group: .server, categories: .connection,
                        since: "2.8.13", summary: "Returns a count of commands.", complexity: "O(1)",
                        handler: CommandCommand.count),
            CommandSpec("command|docs", arity: -2, commandFlags, group: .server, categories: .connection,
                        since: "7.0.0", summary: "Returns documentary information about one, multiple or all commands.",
                        complexity: "O(N) where N is the number of commands to look up", arguments: [names],
                        handler: CommandCommand.docs),
            CommandSpec("command|getkeys", arity: -4, commandFlags, group: .server, categories: .connection,
                        since: "2.8.13", summary: "Extracts the key names from an arbitrary command.",
                        complexity: "O(N) where N is the number of arguments to the command",
                        arguments: [.string("command"), ArgumentDoc.string("arg").isOptional.isMultiple],
                        handler: CommandCommand.getkeys),
            CommandSpec("command|info", arity: -2, commandFlags, group: .server, categories: .connection,
                        since: "2.8.13", summary: "Returns information about one, multiple or all commands.",
                        complexity: "O(N) where N is the number of commands to look up", arguments: [names],
                        handler: CommandCommand.info),
            CommandSpec("command|list", arity: -2, commandFlags, group: .server, categories: .connection,
                        since: "7.0.0", summary: "Returns a list of command names.",
                        complexity: "O(N) where N is the total number of commands", handler: CommandCommand.list),
            CommandSpec("command|help", arity: 2, commandFlags, group: .server, categories: .connection,
                        since: "5.0.0", summary: help, complexity: "O(1)", handler: CommandCommand.help),
        ], handler: CommandCommand.all)

    private static let configFlags: CommandFlags = [.admin, .noscript, .loading, .stale]
    private static let config = CommandSpec(
        "config", arity: -2, [], group: .server, since: "2.0.0",
        summary: "A container for server configuration commands.", complexity: "Depends on subcommand.",
        subcommands: [
            CommandSpec("config|get", arity: -3, configFlags, group: .server, since: "2.0.0",
                        summary: "Returns the effective values of configuration parameters.",
                        complexity: "O(N) when N is the number of configuration parameters provided",
                        arguments: [ArgumentDoc.pattern("parameter").isMultiple], handler: ConfigCommand.get),
            CommandSpec("config|set", arity: -4, configFlags, group: .server, since: "2.0.0",
                        summary: "Sets configuration parameters in-flight.",
                        complexity: "O(N) when N is the number of configuration parameters provided",
                        arguments: [ArgumentDoc(name: "data", type: "block", multiple: true,
                                                children: [.string("parameter"), .string("value")])],
                        handler: ConfigCommand.set),
            CommandSpec("config|resetstat", arity: 2, configFlags, group: .server, since: "2.0.0",
                        summary: "Resets the server's statistics.", complexity: "O(1)",
                        handler: ConfigCommand.resetStat),
            CommandSpec("config|help", arity: 2, [.loading, .stale], group: .server, since: "5.0.0",
                        summary: help, complexity: "O(1)", handler: ConfigCommand.help),
        ], handler: nil)

    private static let memory = CommandSpec(
        "memory", arity: -2, [], group: .server, since: "4.0.0",
        summary: "A container for memory diagnostics commands.", complexity: "Depends on subcommand.",
        subcommands: [
            CommandSpec("memory|usage", arity: -3, [.readonly], keys: KeyPositions(first: 2, last: 2, step: 1, access: .readOnly),
                        group: .server, since: "4.0.0", summary: "Estimates the memory usage of a key.",
                        complexity: logN,
                        arguments: [.key(), ArgumentDoc.tokenValue("SAMPLES", .integer("count")).isOptional],
                        handler: MemoryCommand.usage),
            CommandSpec("memory|stats", arity: 2, [], group: .server, since: "4.0.0",
                        summary: "Returns details about memory usage.", complexity: "O(1)", handler: MemoryCommand.stats),
            CommandSpec("memory|malloc-stats", arity: 2, [], group: .server, since: "4.0.0",
                        summary: "Returns the allocator statistics.", complexity: "O(1)",
                        handler: MemoryCommand.mallocStats),
            CommandSpec("memory|purge", arity: 2, [], group: .server, since: "4.0.0",
                        summary: "Asks the allocator to release memory.", complexity: "O(1)", handler: MemoryCommand.purge),
            CommandSpec("memory|help", arity: 2, [.loading, .stale], group: .server, since: "4.0.0",
                        summary: help, complexity: "O(1)", handler: MemoryCommand.help),
        ], handler: nil)

    private static let server: [CommandSpec] = [
        command, config,
        CommandSpec("debug", arity: -2, [.admin, .noscript, .loading, .stale], group: .server, since: "1.0.0",
                    summary: "A container for debugging commands: SET-ACTIVE-EXPIRE, ADVANCE-CLOCK (SkipKV's), HELP.",
                    complexity: "Depends on subcommand.", handler: DebugCommand.debug),
        CommandSpec("info", arity: -1, [.loading, .stale], group: .server, categories: .dangerous, since: "1.0.0",
                    summary: "Returns information and statistics about the server.", complexity: "O(1)",
                    arguments: [ArgumentDoc.string("section").isOptional.isMultiple], handler: InfoCommand.info),
        CommandSpec("time", arity: 1, [.loading, .stale, .fast], group: .server, since: "2.6.0",
                    summary: "Returns the server time.", complexity: "O(1)", handler: ServerCommands.time),
        CommandSpec("shutdown", arity: -1, [.admin, .noscript, .loading, .stale, .noMulti, .allowBusy],
                    group: .server, since: "1.0.0", summary: "Stops the server after writing pending replies.",
                    complexity: "O(N) where N is the number of clients", arguments: [
                        .oneOf("save-selector", [.flag("NOSAVE"), .flag("SAVE")]).isOptional,
                        ArgumentDoc.flag("NOW").isOptional, ArgumentDoc.flag("FORCE").isOptional,
                    ], handler: ServerCommands.shutdown),
        memory,
    ]

    private static let persistence: [CommandSpec] = [
        CommandSpec("save", arity: 1, [.admin, .noscript, .noAsyncLoading, .noMulti], group: .server, since: "1.0.0",
                    summary: "Synchronously saves the database(s) to disk.",
                    complexity: "O(N) where N is the total number of keys in all databases",
                    handler: PersistenceCommands.save),
        CommandSpec("bgsave", arity: -1, [.admin, .noscript, .noAsyncLoading], group: .server, since: "1.0.0",
                    summary: "Asynchronously saves the database(s) to disk.", complexity: "O(1)",
                    arguments: [ArgumentDoc.flag("SCHEDULE").isOptional], handler: PersistenceCommands.bgsave),
        CommandSpec("bgrewriteaof", arity: 1, [.admin, .noscript, .noAsyncLoading], group: .server, since: "1.0.0",
                    summary: "Asynchronously rewrites the append-only file to disk.", complexity: "O(1)",
                    handler: PersistenceCommands.bgrewriteaof),
        CommandSpec("lastsave", arity: 1, [.loading, .stale, .fast], group: .server, categories: [.admin, .dangerous],
                    since: "1.0.0", summary: "Returns the Unix timestamp of the last successful save to disk.",
                    complexity: "O(1)", handler: PersistenceCommands.lastsave),
    ]

    // Bitmaps: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO (BitCommands.swift).
    private static let bitOffset = ArgumentDoc.integer("offset")
    private static let bitRange = ArgumentDoc(name: "range", type: "block", optional: true, children: [
        .integer("start"), .integer("end"), .oneOf("unit", [.flag("BYTE"), .flag("BIT")]).isOptional,
    ])
    private static let bitfieldGet = ArgumentDoc.tokenBlock("GET", [.string("encoding"), bitOffset])
    private static let bitmaps: [CommandSpec] = [
        CommandSpec("setbit", arity: 4, [.write, .denyoom], keys: .one([.readWrite, .access, .update]), group: .bitmap,
                    since: "2.2.0", summary: "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.",
                    complexity: "O(log N + M) where M is the value length (the value is copied)",
                    arguments: [key, bitOffset, .integer("value")], handler: BitCommands.setbit),
        CommandSpec("getbit", arity: 3, [.readonly, .fast], keys: .one([.readOnly, .access]), group: .bitmap, since: "2.2.0",
                    summary: "Returns a bit value by offset.", complexity: logN, arguments: [key, bitOffset],
                    handler: BitCommands.getbit),
        CommandSpec("bitcount", arity: -2, [.readonly], keys: .one([.readOnly, .access]), group: .bitmap, since: "2.6.0",
                    summary: "Counts the number of set bits (population counting) in a string.",
                    complexity: "O(log N + M) where M is the length of the range", arguments: [key, bitRange],
                    handler: BitCommands.bitcount),
        CommandSpec("bitpos", arity: -3, [.readonly], keys: .one([.readOnly, .access]), group: .bitmap, since: "2.8.7",
                    summary: "Finds the first set (1) or clear (0) bit in a string.",
                    complexity: "O(log N + M) where M is the length of the range", arguments: [
                        key, .integer("bit"),
                        ArgumentDoc(name: "range", type: "block", optional: true, children: [
                            .integer("start"),
                            ArgumentDoc(name: "end-unit-block", type: "block", optional: true, children: [
                                .integer("end"), .oneOf("unit", [.flag("BYTE"), .flag("BIT")]).isOptional,
                            ]),
                        ]),
                    ], handler: BitCommands.bitpos),
        CommandSpec("bitop", arity: -4, [.write, .denyoom], keys: KeyPositions(
                        first: 2, last: -1, step: 1, access: [.overwrite, .update], laterAccess: [.readOnly, .access]),
                    group: .bitmap, since: "2.6.0",
                    summary: "Performs bitwise operations on multiple strings, and stores the result.",
                    complexity: "O(N) where N is the length of the longest string", arguments: [
                        .oneOf("operation", [.flag("AND"), .flag("OR"), .flag("XOR"), .flag("NOT")]),
                        .key("destkey"), ArgumentDoc.key().isMultiple,
                    ], handler: BitCommands.bitop),
        CommandSpec("bitfield", arity: -2, [.write, .denyoom], keys: KeyPositions(
                        first: 1, last: 1, step: 1, access: [.readWrite, .access, .update, .variableFlags],
                        notes: "This command allows both access and modification of the key"),
                    group: .bitmap, since: "3.2.0",
                    summary: "Performs arbitrary bitfield integer operations on strings, in one atomic step.",
                    complexity: "O(log N + M) per write, where M is the value length (the value is copied); O(log N) for GETs only",
                    arguments: [
                        key,
                        ArgumentDoc(name: "operation", type: "oneof", optional: true, multiple: true, children: [
                            bitfieldGet,
                            ArgumentDoc(name: "write", type: "block", children: [
                                ArgumentDoc.tokenValue("OVERFLOW", .oneOf("overflow-block", [.flag("WRAP"), .flag("SAT"), .flag("FAIL")])).isOptional,
                                .oneOf("write-operation", [
                                    ArgumentDoc.tokenBlock("SET", [.string("encoding"), bitOffset, .integer("value")]),
                                    ArgumentDoc.tokenBlock("INCRBY", [.string("encoding"), bitOffset, .integer("increment")]),
                                ]),
                            ]),
                        ]),
                    ], handler: BitCommands.bitfield),
        CommandSpec("bitfield_ro", arity: -2, [.readonly, .fast], keys: .one([.readOnly, .access]), group: .bitmap,
                    since: "6.0.0", summary: "Performs arbitrary read-only bitfield integer operations on strings.",
                    complexity: "O(log N) per GET", arguments: [key, bitfieldGet.isOptional.isMultiple],
                    handler: BitCommands.bitfieldRO),
    ]
}
