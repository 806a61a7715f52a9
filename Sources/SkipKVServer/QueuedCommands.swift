import SkipKVPersistence

/// The commands a client queued between MULTI and EXEC: their arguments copied out of the
/// receive buffer (which moves on), the command each resolved to, and what EXEC needs to
/// know before running them: the stripes of their keys, the union of their flags (EXEC's
/// -OOM and -MISCONF checks use it, as Redis's `mstate.cmd_flags`), and whether one was
/// refused while queuing (then EXEC answers -EXECABORT).
///
/// Concurrency contract: owned by the connection, touched only on its loop thread.
struct QueuedCommands {
    struct Command {
        let id: CommandID
        /// Its arguments' entries in `arguments`.
        let arguments: Range<Int>
    }

    /// Every queued argument's bytes, back to back.
    private(set) var bytes: [UInt8] = []
    /// Each argument's bytes in `bytes`.
    private(set) var arguments: [Range<Int>] = []
    private(set) var commands: [Command] = []
    private(set) var flags: CommandFlags = []
    /// The stripes EXEC must hold for the queued commands' keys.
    private(set) var stripes = StripeSet()
    /// A command was refused while queuing (Redis's CLIENT_DIRTY_EXEC).
    var refused = false

    /// Queues the command whose `count` arguments `argument` gives.
    mutating func append(
        _ id: CommandID, entry: UnsafeMutablePointer<CommandEntry>, count: Int,
        _ argument: (Int) -> UnsafeRawBufferPointer, stripe: (UnsafeRawBufferPointer) -> Int
    ) {
        let first = arguments.count
        for index in 0..<count {
            let bytesStart = bytes.count
            bytes.append(contentsOf: argument(index))
            arguments.append(bytesStart..<bytes.count)
        }
        commands.append(Command(id: id, arguments: first..<arguments.count))
        flags.formUnion(entry.pointee.flags)
        stripes.formUnion(entry.pointee.stripes(argumentCount: count, argument, stripe))
    }

    /// Bytes held, for the client's memory figures (CLIENT LIST's `multi-mem`).
    var memory: Int {
        bytes.capacity + arguments.capacity * MemoryLayout<Range<Int>>.stride + commands.capacity * MemoryLayout<Command>.stride
    }
}
