/// Runs one command (or subcommand) once the executor has checked it against its record:
/// a reference to the handler's static function, so its context is empty. Calling it from
/// the table still copies the closure and retains and releases that (null) context: with the
/// rest of the table's work, about 30 instructions per GET more than the `switch` it replaced
/// (callgrind, docs/ARCHITECTURE.md). `@convention(thin)`, which would avoid the copy,
/// crashes Swift 6.3's compiler with a struct argument this size, and a `@convention(c)`
/// handler would have to take a raw pointer.
typealias CommandHandler = @Sendable (CommandContext) -> Void

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
    /// Reads or writes keys beyond its key arguments (a range, the whole keyspace): a
    /// transaction running it holds every stripe, and outside one it reads against every
    /// stripe's version (`CommandExecutor`).
    let wholeKeyspace: Bool
    let transactionRole: TransactionRole
    let subcommands: [CommandSpec]
    /// Nil only for a container whose arity needs a subcommand (CLIENT, CONFIG, MEMORY).
    let handler: CommandHandler?

    init(
        _ name: String, arity: Int, _ flags: CommandFlags, keys: KeyPositions = .none, group: CommandGroup,
        categories: ACLCategories? = nil, since: String, summary: String, complexity: String,
        arguments: [ArgumentDoc] = [], wholeKeyspace: Bool = false, transactionRole: TransactionRole = .queued,
        subcommands: [CommandSpec] = [], handler: CommandHandler?
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
        self.wholeKeyspace = wholeKeyspace
        self.transactionRole = transactionRole
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
