/// Every command SkipKV understands. The executor dispatches on this with a `switch`, and
/// the properties below are switches too, so the per-command facts the hot path needs
/// (arity, whether authentication is required) compile to table lookups with no allocation
/// or reference counting. The documentation side (COMMAND INFO/DOCS) is in `CommandDocs`.
enum CommandID: Int, CaseIterable, Sendable {
    // Strings
    case get, set, setnx, getset, getdel, mget, mset, del, unlink, exists
    case incr, decr, incrby, decrby, append, strlen, type
    // Keyspace and ranges
    case keys, scan, range, rangecount, rangedel, dbsize, flushdb, flushall
    // Connection
    case ping, echo, quit, hello, auth, select, client
    // Server
    case command, config, info, time, shutdown, memory
    // Persistence
    case save, bgsave, bgrewriteaof, lastsave

    /// The lowercase name, as replies and errors show it.
    var name: String { String(describing: self) }

    /// Redis arity: N means exactly N arguments including the name, -N at least N.
    var arity: Int {
        switch self {
        case .get, .getdel, .incr, .decr, .strlen, .type, .keys, .echo, .select: return 2
        case .setnx, .getset, .incrby, .decrby, .append, .rangecount, .rangedel: return 3
        case .set, .mset, .range: return -3
        case .mget, .del, .unlink, .exists, .scan, .auth, .client, .config, .memory: return -2
        case .dbsize, .time, .save, .bgrewriteaof, .lastsave: return 1
        case .flushdb, .flushall, .ping, .quit, .hello, .command, .info, .shutdown, .bgsave: return -1
        }
    }

    /// Whether it may change stored data: refused while persistence is failing (-MISCONF).
    var isWrite: Bool {
        switch self {
        case .set, .setnx, .getset, .getdel, .mset, .del, .unlink, .incr, .decr, .incrby, .decrby, .append,
             .rangedel, .flushdb, .flushall:
            return true
        default:
            return false
        }
    }

    /// Whether it is refused with -OOM while used memory is over `maxmemory` and nothing more
    /// can be evicted, as Redis's `denyoom` command flag (COMMAND INFO shows it from here).
    /// Reads and deletes are not: they keep working, and deleting is how to make room.
    var deniedOnOutOfMemory: Bool {
        switch self {
        case .set, .setnx, .getset, .mset, .incr, .decr, .incrby, .decrby, .append: return true
        default: return false
        }
    }

    /// Whether it runs while the data is still loading (others get -LOADING), as Redis's
    /// `loading` command flag.
    var allowedWhileLoading: Bool {
        switch self {
        case .quit, .hello, .auth, .select, .client, .command, .config, .info, .time, .shutdown, .lastsave: return true
        default: return false
        }
    }

    /// Whether an unauthenticated client may run it when `requirepass` is set.
    var allowedBeforeAuthentication: Bool {
        switch self {
        case .auth, .hello, .quit: return true
        default: return false
        }
    }
}
