/// What the executor reads for every command, copied from the record into a flat,
/// never-freed buffer so that one lookup gives arity, flags, handler and subcommands
/// without touching a reference count.
struct CommandEntry {
    let arity: Int
    let flags: CommandFlags
    let handler: CommandHandler?
    /// Rows of this container's subcommands (empty for a plain command).
    let subcommands: Range<Int>
    /// The name (for a subcommand, the part after `|`) as `CommandLookup.pack` packs it.
    let packedName: PackedName

    @inline(__always)
    func accepts(argumentCount count: Int) -> Bool {
        CommandSpec.arity(arity, accepts: count)
    }
}
