/// One invocation of every command and subcommand SkipKV has, with the argument positions
/// its handler treats as keys (read from the handler, not from the command table). The
/// server's unit tests check the table's key positions against these and require a sample
/// per record; the integration tests run the ones with keys against the server to see that
/// the handler touches exactly those keys.
public struct CommandSample: Sendable {
    /// As COMMAND INFO names it: `get`, `memory|usage`.
    public let name: String
    public let arguments: [String]
    public let keys: [Int]

    public static let all: [CommandSample] = [
        // Strings
        .init("get", ["GET", "k1"], keys: [1]),
        .init("set", ["SET", "k1", "v", "NX"], keys: [1]),
        .init("setnx", ["SETNX", "k1", "v"], keys: [1]),
        .init("getset", ["GETSET", "k1", "v"], keys: [1]),
        .init("getdel", ["GETDEL", "k1"], keys: [1]),
        // Expiry
        .init("expire", ["EXPIRE", "k1", "100"], keys: [1]),
        .init("pexpire", ["PEXPIRE", "k1", "100000", "XX"], keys: [1]),
        .init("expireat", ["EXPIREAT", "k1", "4000000000"], keys: [1]),
        .init("pexpireat", ["PEXPIREAT", "k1", "4000000000000", "GT"], keys: [1]),
        .init("ttl", ["TTL", "k1"], keys: [1]),
        .init("pttl", ["PTTL", "k1"], keys: [1]),
        .init("expiretime", ["EXPIRETIME", "k1"], keys: [1]),
        .init("pexpiretime", ["PEXPIRETIME", "k1"], keys: [1]),
        .init("persist", ["PERSIST", "k1"], keys: [1]),
        .init("setex", ["SETEX", "k1", "100", "v"], keys: [1]),
        .init("psetex", ["PSETEX", "k1", "100000", "v"], keys: [1]),
        .init("getex", ["GETEX", "k1", "PERSIST"], keys: [1]),
        .init("mget", ["MGET", "k1", "k2", "k3"], keys: [1, 2, 3]),
        .init("mset", ["MSET", "k1", "v1", "k2", "v2"], keys: [1, 3]),
        .init("incr", ["INCR", "k1"], keys: [1]),
        .init("decr", ["DECR", "k1"], keys: [1]),
        .init("incrby", ["INCRBY", "k1", "5"], keys: [1]),
        .init("decrby", ["DECRBY", "k1", "5"], keys: [1]),
        .init("append", ["APPEND", "k1", "v"], keys: [1]),
        .init("strlen", ["STRLEN", "k1"], keys: [1]),
        .init("incrbyfloat", ["INCRBYFLOAT", "k1", "1.5"], keys: [1]),
        .init("getrange", ["GETRANGE", "k1", "0", "-1"], keys: [1]),
        .init("substr", ["SUBSTR", "k1", "0", "-1"], keys: [1]),
        .init("setrange", ["SETRANGE", "k1", "2", "v"], keys: [1]),
        .init("msetnx", ["MSETNX", "k1", "v1", "k2", "v2"], keys: [1, 3]),
        // Both keys the same: with one stored as "1" and the other absent the LCS is empty either way.
        .init("lcs", ["LCS", "k1", "k1", "LEN"], keys: [1, 2]),
        // Keyspace
        .init("del", ["DEL", "k1", "k2"], keys: [1, 2]),
        .init("unlink", ["UNLINK", "k1", "k2"], keys: [1, 2]),
        .init("exists", ["EXISTS", "k1", "k2"], keys: [1, 2]),
        .init("type", ["TYPE", "k1"], keys: [1]),
        .init("keys", ["KEYS", "k*"], keys: []),
        .init("scan", ["SCAN", "0", "MATCH", "k*"], keys: []),
        .init("range", ["RANGE", "[k1", "[k2"], keys: []),
        .init("rangecount", ["RANGECOUNT", "[k1", "[k2"], keys: []),
        .init("rangedel", ["RANGEDEL", "[k1", "[k2"], keys: []),
        .init("dbsize", ["DBSIZE"], keys: []),
        .init("flushdb", ["FLUSHDB"], keys: []),
        .init("flushall", ["FLUSHALL"], keys: []),
        .init("rename", ["RENAME", "k1", "k2"], keys: [1, 2]),
        .init("renamenx", ["RENAMENX", "k1", "k2"], keys: [1, 2]),
        .init("copy", ["COPY", "k1", "k2", "REPLACE"], keys: [1, 2]),
        .init("touch", ["TOUCH", "k1", "k2"], keys: [1, 2]),
        .init("randomkey", ["RANDOMKEY"], keys: []),
        .init("object|encoding", ["OBJECT", "ENCODING", "k1"], keys: [2]),
        .init("object|refcount", ["OBJECT", "REFCOUNT", "k1"], keys: [2]),
        .init("object|idletime", ["OBJECT", "IDLETIME", "k1"], keys: [2]),
        .init("object|freq", ["OBJECT", "FREQ", "k1"], keys: [2]),
        .init("object|help", ["OBJECT", "HELP"], keys: []),
        .init("slowlog|get", ["SLOWLOG", "GET", "5"], keys: []),
        .init("slowlog|len", ["SLOWLOG", "LEN"], keys: []),
        .init("slowlog|reset", ["SLOWLOG", "RESET"], keys: []),
        .init("slowlog|help", ["SLOWLOG", "HELP"], keys: []),
        // Connection
        .init("ping", ["PING"], keys: []),
        .init("echo", ["ECHO", "k1"], keys: []),
        .init("quit", ["QUIT"], keys: []),
        .init("hello", ["HELLO", "2"], keys: []),
        .init("auth", ["AUTH", "k1"], keys: []),
        .init("select", ["SELECT", "0"], keys: []),
        .init("client|id", ["CLIENT", "ID"], keys: []),
        .init("client|setname", ["CLIENT", "SETNAME", "k1"], keys: []),
        .init("client|getname", ["CLIENT", "GETNAME"], keys: []),
        .init("client|setinfo", ["CLIENT", "SETINFO", "LIB-NAME", "k1"], keys: []),
        .init("client|list", ["CLIENT", "LIST"], keys: []),
        .init("client|info", ["CLIENT", "INFO"], keys: []),
        .init("client|kill", ["CLIENT", "KILL", "ID", "0"], keys: []),
        .init("client|help", ["CLIENT", "HELP"], keys: []),
        // Server
        .init("command", ["COMMAND"], keys: []),
        .init("command|count", ["COMMAND", "COUNT"], keys: []),
        .init("command|docs", ["COMMAND", "DOCS", "get"], keys: []),
        .init("command|getkeys", ["COMMAND", "GETKEYS", "GET", "k1"], keys: []),
        .init("command|info", ["COMMAND", "INFO", "get"], keys: []),
        .init("command|list", ["COMMAND", "LIST"], keys: []),
        .init("command|help", ["COMMAND", "HELP"], keys: []),
        .init("config|get", ["CONFIG", "GET", "port"], keys: []),
        .init("config|set", ["CONFIG", "SET", "loglevel", "notice"], keys: []),
        .init("config|resetstat", ["CONFIG", "RESETSTAT"], keys: []),
        .init("config|help", ["CONFIG", "HELP"], keys: []),
        .init("info", ["INFO", "server"], keys: []),
        .init("time", ["TIME"], keys: []),
        .init("debug", ["DEBUG", "HELP"], keys: []),
        .init("shutdown", ["SHUTDOWN", "NOSAVE"], keys: []),
        .init("memory|usage", ["MEMORY", "USAGE", "k1"], keys: [2]),
        .init("memory|stats", ["MEMORY", "STATS"], keys: []),
        .init("memory|malloc-stats", ["MEMORY", "MALLOC-STATS"], keys: []),
        .init("memory|purge", ["MEMORY", "PURGE"], keys: []),
        .init("memory|help", ["MEMORY", "HELP"], keys: []),
        // Persistence
        .init("save", ["SAVE"], keys: []),
        .init("bgsave", ["BGSAVE"], keys: []),
        .init("bgrewriteaof", ["BGREWRITEAOF"], keys: []),
        .init("lastsave", ["LASTSAVE"], keys: []),
        // Bitmaps
        .init("setbit", ["SETBIT", "k1", "7", "1"], keys: [1]),
        .init("getbit", ["GETBIT", "k1", "7"], keys: [1]),
        .init("bitcount", ["BITCOUNT", "k1", "0", "-1", "BIT"], keys: [1]),
        .init("bitpos", ["BITPOS", "k1", "1", "0"], keys: [1]),
        .init("bitop", ["BITOP", "AND", "k1", "k2", "k3"], keys: [2, 3, 4]),
        .init("bitfield", ["BITFIELD", "k1", "INCRBY", "u8", "#1", "5", "GET", "i4", "0"], keys: [1]),
        .init("bitfield_ro", ["BITFIELD_RO", "k1", "GET", "u8", "0"], keys: [1]),
        // Transactions
        .init("multi", ["MULTI"], keys: []),
        .init("exec", ["EXEC"], keys: []),
        .init("discard", ["DISCARD"], keys: []),
        .init("watch", ["WATCH", "k1", "k2"], keys: [1, 2], observable: false),
        .init("unwatch", ["UNWATCH"], keys: []),
        .init("watchrange", ["WATCHRANGE", "[k1", "[k2"], keys: []),
    ]

    /// Whether the handler's reply or effect shows which keys it was given. WATCH's does not
    /// (only a later EXEC does): the integration test that stores each key and looks for a
    /// difference skips it.
    public let observable: Bool

    init(_ name: String, _ arguments: [String], keys: [Int], observable: Bool = true) {
        self.name = name
        self.arguments = arguments
        self.keys = keys
        self.observable = observable
    }

    /// The arguments at the key positions.
    public var keyNames: [String] { keys.map { arguments[$0] } }
}
