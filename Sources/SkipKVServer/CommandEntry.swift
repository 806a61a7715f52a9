import SkipKVPersistence

/// What the executor reads for every command, copied from the record into a flat,
/// never-freed buffer so that one lookup gives arity, flags, handler and subcommands
/// without touching a reference count.
struct CommandEntry {
    let arity: Int
    let flags: CommandFlags
    let handler: CommandHandler?
    /// Rows of this container's subcommands (empty for a plain command).
    let subcommands: Range<Int>
    /// Which arguments are keys (`KeyPositions`' first, last, step; first 0: none).
    let firstKey: Int
    let lastKey: Int
    let keyStep: Int
    let wholeKeyspace: Bool
    /// A read-only command with keys or over the keyspace: the executor validates what it
    /// read against concurrent transactions (`CommandExecutor.runConsistently`).
    let validatesReads: Bool
    let transactionRole: TransactionRole
    /// The name (for a subcommand, the part after `|`) as `CommandLookup.pack` packs it.
    let packedName: PackedName

    /// The stripes of the keys of an invocation whose arguments `argument` gives: what a
    /// transaction running it must hold and what a read outside one validates against.
    func stripes(
        argumentCount count: Int, _ argument: (Int) -> UnsafeRawBufferPointer, _ stripe: (UnsafeRawBufferPointer) -> Int
    ) -> StripeSet {
        if wholeKeyspace { return .all }
        var set = StripeSet()
        for index in KeyPositions.positions(first: firstKey, last: lastKey, step: keyStep, argumentCount: count) {
            set.insert(stripe: stripe(argument(index)))
        }
        return set
    }

    @inline(__always)
    func accepts(argumentCount count: Int) -> Bool {
        CommandSpec.arity(arity, accepts: count)
    }
}
