/// Runs one command (or subcommand) once the executor has checked it against its record:
/// a reference to the handler's static function, so its context is empty. Calling it from
/// the table still copies the closure and retains and releases that (null) context: with the
/// rest of the table's work, about 30 instructions per GET more than the `switch` it replaced
/// (callgrind, docs/ARCHITECTURE.md). `@convention(thin)`, which would avoid the copy,
/// crashes Swift 6.3's compiler with a struct argument this size, and a `@convention(c)`
/// handler would have to take a raw pointer.
typealias CommandHandler = @Sendable (CommandContext) -> Void

/// Which arguments are keys, as COMMAND INFO's legacy fields state it (what cluster clients
/// and proxies route by): the first key's position, the last one's (negative: counted from
/// the end, -1 the last argument), and the step between keys. All zero: no keys. Positions
/// count the command name (and a container's name) as argument 0. `access` and `notes` are
/// what Redis 7's key specs add: how the command uses the keys.
struct KeyPositions: Equatable, Sendable {
    let first: Int
    let last: Int
    let step: Int
    let access: KeyAccess
    var notes: String? = nil

    static let none = KeyPositions(first: 0, last: 0, step: 0, access: [])

    /// The key is argument 1.
    static func one(_ access: KeyAccess) -> KeyPositions { KeyPositions(first: 1, last: 1, step: 1, access: access) }

    /// Every argument from 1 on is a key.
    static func all(_ access: KeyAccess) -> KeyPositions { KeyPositions(first: 1, last: -1, step: 1, access: access) }

    /// The positions of the keys in an invocation of `count` arguments (arity already checked).
    func positions(argumentCount count: Int) -> [Int] {
        guard first > 0 else { return [] }
        let end = last < 0 ? count + last : last
        return end < first ? [] : Array(stride(from: first, through: min(end, count - 1), by: step))
    }

    /// Redis 7's key spec's `find_keys` `lastkey`: relative to the first key when not
    /// counted from the end.
    var relativeLastKey: Int { last < 0 ? last : last - first }
}

/// How a command uses its keys, as Redis 7's key-spec flags say it (`RO` read only, `RW`
/// read and write, `OW` overwrite, `RM` remove; then what it does to the value). Bits in
/// Redis's display order.
struct KeyAccess: OptionSet, Sendable {
    let rawValue: UInt16

    static let readOnly = KeyAccess(rawValue: 1 << 0)
    static let readWrite = KeyAccess(rawValue: 1 << 1)
    static let overwrite = KeyAccess(rawValue: 1 << 2)
    static let remove = KeyAccess(rawValue: 1 << 3)
    static let access = KeyAccess(rawValue: 1 << 4)
    static let update = KeyAccess(rawValue: 1 << 5)
    static let insert = KeyAccess(rawValue: 1 << 6)
    static let delete = KeyAccess(rawValue: 1 << 7)
    static let variableFlags = KeyAccess(rawValue: 1 << 8)

    private static let redisNames: [(KeyAccess, String)] = [
        (.readOnly, "RO"), (.readWrite, "RW"), (.overwrite, "OW"), (.remove, "RM"), (.access, "access"),
        (.update, "update"), (.insert, "insert"), (.delete, "delete"), (.variableFlags, "variable_flags"),
    ]

    var names: [String] { Self.redisNames.filter { contains($0.0) }.map(\.1) }
}

/// Redis's command groups, as COMMAND DOCS shows them.
enum CommandGroup: String, Sendable {
    case generic, string, connection, server

    /// The ACL category the group's commands belong to, where Redis gives them one.
    var aclCategories: ACLCategories {
        switch self {
        case .generic: return .keyspace
        case .string: return .string
        case .connection: return .connection
        case .server: return []
        }
    }
}

/// Everything SkipKV knows about one command or subcommand: the record `CommandTable`
/// lists, from which the executor's checks, the name lookup and COMMAND's replies come.
struct CommandSpec: Sendable {
    /// Lowercase, as replies and errors show it: `get`, or `client|id` for a subcommand.
    let name: String
    /// Redis arity: N means exactly N arguments including the name(s), -N at least N.
    let arity: Int
    let flags: CommandFlags
    let keys: KeyPositions
    let group: CommandGroup
    /// Stated categories; `aclCategories` adds the ones the flags imply.
    let categories: ACLCategories
    let since: String
    let summary: String
    let complexity: String
    let arguments: [ArgumentDoc]
    let subcommands: [CommandSpec]
    /// Nil only for a container whose arity needs a subcommand (CLIENT, CONFIG, MEMORY).
    let handler: CommandHandler?

    init(
        _ name: String, arity: Int, _ flags: CommandFlags, keys: KeyPositions = .none, group: CommandGroup,
        categories: ACLCategories? = nil, since: String, summary: String, complexity: String,
        arguments: [ArgumentDoc] = [], subcommands: [CommandSpec] = [], handler: CommandHandler?
    ) {
        self.name = name
        self.arity = arity
        self.flags = flags
        self.keys = keys
        self.group = group
        self.categories = categories ?? group.aclCategories
        self.since = since
        self.summary = summary
        self.complexity = complexity
        self.arguments = arguments
        self.subcommands = subcommands
        self.handler = handler
    }

    var aclCategories: ACLCategories { categories.union(.implied(by: flags)) }

    /// Whether `count` arguments satisfy the arity.
    func accepts(argumentCount count: Int) -> Bool {
        Self.arity(arity, accepts: count)
    }

    /// Redis's arity rule: N exactly N arguments, -N at least N.
    @inline(__always)
    static func arity(_ arity: Int, accepts count: Int) -> Bool {
        arity > 0 ? count == arity : count >= -arity
    }
}
