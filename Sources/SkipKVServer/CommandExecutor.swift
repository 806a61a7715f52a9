import SkipKVPersistence
import SkipKVProtocol
import SkipKVSystem

/// Runs one parsed command: finds its row in `CommandTable` by name (and, for a container,
/// by subcommand), checks arity, authentication, loading, memory and persistence against
/// the row's flags, then either queues it (between MULTI and EXEC, as its
/// `transactionRole` says) or calls the row's handler (a read-only one validated against
/// concurrent transactions, `runConsistently`), and records the call in the loop's stats.
/// Checks and error texts follow Redis's `processCommand` order: unknown command or
/// subcommand, then arity, then authentication, then (after loading) memory: evictions, and
/// -OOM, then -MISCONF.
enum CommandExecutor {
    /// Executes the command in `connection.arguments`, whose slices point into `buffer`.
    /// `startedAt` is the monotonic microsecond the command started (the previous command's
    /// end, so each command costs one clock read); returns the time it finished.
    @inline(__always)
    static func execute(
        _ connection: UnsafeMutablePointer<Connection>, loop: EventLoop,
        buffer: UnsafeRawBufferPointer, startedAt: UInt64
    ) -> UInt64 {
        let arguments = connection.pointee.arguments
        let reply = connection.pointee.reply
        guard var command = CommandTable.shared.find(arguments.pointee.argument(0, in: buffer)) else {
            connection.pointee.withClient { $0.lastCommand.store(-1, ordering: .relaxed) }
            writeUnknownCommand(arguments, buffer, reply)
            loop.stats.add(.errorReplies)
            connection.pointee.queued?.pointee.refused = true
            return startedAt
        }
        let entries = CommandTable.shared.entries
        let count = arguments.pointee.count
        if !entries[command.rawValue].subcommands.isEmpty && count >= 2 {
            guard let subcommand = CommandTable.shared.findSubcommand(arguments.pointee.argument(1, in: buffer), of: command) else {
                connection.pointee.withClient { $0.lastCommand.store(-1, ordering: .relaxed) }
                let name = String(decoding: arguments.pointee.argument(1, in: buffer).prefix(128), as: UTF8.self)
                reply.pointee.writeError(ErrorText.unknownSubcommand(name, of: command.name))
                loop.stats.add(.errorReplies)
                connection.pointee.queued?.pointee.refused = true
                return startedAt
            }
            command = subcommand
        }
        let entry = entries + command.rawValue
        // What CLIENT LIST shows as `cmd=` from now on, this command included (Redis's
        // lastcmd, set when the command is looked up; EXEC's queued commands leave it alone).
        connection.pointee.withClient { $0.lastCommand.store(command.rawValue, ordering: .relaxed) }
        if !entry.pointee.accepts(argumentCount: count) {
            return reject(ErrorText.arity(command.name), command, entry, connection, loop, startedAt)
        }
        var flags = entry.pointee.flags
        // As in Redis, clearing requirepass at run time lets every client in at once.
        if !connection.pointee.authenticated && !flags.contains(.noAuth)
            && loop.withSettings({ $0.passwordRequired.load(ordering: .relaxed) }) {
            return reject(ErrorText.noAuth, command, entry, connection, loop, startedAt)
        }
        let queued = connection.pointee.queued
        if let queued {
            if flags.contains(.noMulti) {
                return reject("ERR Command not allowed inside a transaction", command, entry, connection, loop, startedAt)
            }
            switch entry.pointee.transactionRole {
            // EXEC is refused for what it would run (Redis's mstate.cmd_flags).
            case .exec: flags.formUnion(queued.pointee.flags)
            case .leaves: break
            // Queuing takes memory: refused over maxmemory like a write (Redis 7).
            case .queued, .immediate: flags.insert(.denyoom)
            }
        }
        if !loop.loaded && !loop.checkLoaded() && !flags.contains(.loading) {
            return reject(ErrorText.loading, command, entry, connection, loop, startedAt)
        }
        if !loop.memoryAdmits(flags) {
            return reject(ErrorText.outOfMemory, command, entry, connection, loop, startedAt)
        }
        if flags.contains(.write) && loop.persistence._withUnsafeGuaranteedRef({ $0.refusingWrites.load(ordering: .relaxed) }) {
            let refusal = loop.persistence._withUnsafeGuaranteedRef { $0.writeRefusal }
            return reject(refusal, command, entry, connection, loop, startedAt)
        }
        if let queued, entry.pointee.transactionRole == .queued {
            let journal = loop.keyspace.journal.takeUnretainedValue()
            queued.pointee.append(command, entry: entry, count: count, { arguments.pointee.argument($0, in: buffer) }) { key in
                journal.stripe(of: key)
            }
            reply.pointee.writeSimpleString("QUEUED")
            connection.pointee.withClient { $0.queuedCommands.store(queued.pointee.commands.count, ordering: .relaxed) }
            return startedAt
        }
        let replyStart = reply.pointee.output.count
        let context = CommandContext(connection: connection, loop: loop, arguments: arguments, buffer: buffer)
        loop.commandInstant.pointee.begin()
        if entry.pointee.validatesReads {
            runConsistently(entry, context, replyStart: replyStart)
        } else {
            // Only a container whose arity needs a subcommand has no handler, and it never gets here.
            entry.pointee.handler?(context)
        }
        loop.commandInstant.pointee.end()
        let lsn = loop.commandLSN.pointee
        if lsn != 0 {
            connection.pointee.requiredLSN = lsn
            loop.commandLSN.pointee = 0
        }
        return account(command, entry, connection, loop, arguments: arguments, buffer: buffer,
                       replyStart: replyStart, startedAt: startedAt)
    }

    /// Runs a read-only command so that it sees every transaction and multi-key write whole
    /// or not at all (`JournaledKeyspace.consistentRead`): when one touched its keys' stripes
    /// meanwhile, its reply is dropped and it runs again.
    @inline(__always)
    private static func runConsistently(
        _ entry: UnsafeMutablePointer<CommandEntry>, _ context: CommandContext, replyStart: Int
    ) {
        let handler = entry.pointee.handler!
        // The common case inline: no multi-key write ran anywhere during the read.
        let quiet = context.keyspace.journal._withUnsafeGuaranteedRef { $0.quietToken() }
        if let quiet {
            handler(context)
            if context.keyspace.journal._withUnsafeGuaranteedRef({ $0.stillQuiet(since: quiet) }) { return }
            redo(context, replyStart: replyStart)
        }
        runWhileBusy(entry, handler, context, replyStart: replyStart)
    }

    /// Undoes what a read that must run again produced, and moves its instant to now (what
    /// changed under it may have been the removal of keys that expired after the instant).
    private static func redo(_ context: CommandContext, replyStart: Int) {
        context.reply.pointee.output.truncate(toCount: replyStart)
        context.loop.commandInstant.pointee.begin()
    }

    @inline(never)
    private static func runWhileBusy(
        _ entry: UnsafeMutablePointer<CommandEntry>, _ handler: CommandHandler, _ context: CommandContext, replyStart: Int
    ) {
        context.keyspace.journal._withUnsafeGuaranteedRef { journal in
            let stripes = entry.pointee.stripes(argumentCount: context.count, context.argument) { journal.stripe(of: $0) }
            journal.readWhileBusy(stripes, retry: { redo(context, replyStart: replyStart) }) {
                handler(context)
            }
        }
    }

    /// Runs one command EXEC dequeued, inside its transaction (so reads need no validation:
    /// the transaction holds their stripes), and counts it as Redis's `call` would.
    static func runQueued(
        _ command: QueuedCommands.Command, of queued: UnsafeMutablePointer<QueuedCommands>,
        connection: UnsafeMutablePointer<Connection>, loop: EventLoop
    ) {
        let arguments = loop.queuedArguments
        arguments.pointee.replace(withSlicesOf: queued.pointee.arguments[command.arguments])
        let entry = CommandTable.shared.entries + command.id.rawValue
        let startedAt = monotonicMicroseconds()
        let replyStart = connection.pointee.reply.pointee.output.count
        queued.pointee.bytes.withUnsafeBytes { buffer in
            entry.pointee.handler?(CommandContext(connection: connection, loop: loop, arguments: arguments, buffer: buffer))
            _ = account(command.id, entry, connection, loop, arguments: arguments, buffer: buffer,
                        replyStart: replyStart, startedAt: startedAt)
        }
    }

    /// Records a command that ran: INFO commandstats and errorstats, SLOWLOG. Returns the
    /// time it finished.
    @inline(__always)
    private static func account(
        _ command: CommandID, _ entry: UnsafeMutablePointer<CommandEntry>, _ connection: UnsafeMutablePointer<Connection>,
        _ loop: EventLoop, arguments: UnsafeMutablePointer<CommandArguments>, buffer: UnsafeRawBufferPointer,
        replyStart: Int, startedAt: UInt64
    ) -> UInt64 {
        let finishedAt = monotonicMicroseconds()
        let stats = loop.stats
        stats.add(.calls, for: command)
        stats.add(.microseconds, for: command, finishedAt &- startedAt)
        stats.add(.commandsProcessed)
        // QUIT may already have sent its reply, so look only when the reply is still there.
        let output = connection.pointee.reply.pointee.output.readableBytes
        if output.count > replyStart && output[replyStart] == UInt8(ascii: "-") {
            stats.add(.failed, for: command)
            stats.add(.errorReplies)
        }
        let duration = finishedAt &- startedAt
        if loop.server.slowLog.isSlow(duration) && !entry.pointee.flags.contains(.skipSlowlog) {
            recordSlow(connection, arguments, buffer, duration, loop.server.slowLog)
        }
        return finishedAt
    }

    /// Refuses the command with `message` (Redis's rejectCommand): between MULTI and EXEC
    /// the transaction is flagged so that EXEC fails, and a refused EXEC is answered with
    /// -EXECABORT naming the reason (and ends the transaction if there is one).
    @inline(never)
    private static func reject(
        _ message: String, _ command: CommandID, _ entry: UnsafeMutablePointer<CommandEntry>,
        _ connection: UnsafeMutablePointer<Connection>, _ loop: EventLoop, _ startedAt: UInt64
    ) -> UInt64 {
        let reply = connection.pointee.reply
        // EXEC is answered -EXECABORT even outside a transaction (Redis's rejectCommand).
        if entry.pointee.transactionRole == .exec {
            TransactionCommands.discardTransaction(connection, loop.keyspace)
            // Redis names the reason as the refusal's error would, less a generic "ERR ".
            let reason = message.hasPrefix("ERR ") ? message.dropFirst(4) : Substring(message)
            reply.pointee.writeError("EXECABORT Transaction discarded because of: " + reason)
        } else {
            connection.pointee.queued?.pointee.refused = true
            reply.pointee.writeError(message)
        }
        loop.stats.add(.rejected, for: command)
        loop.stats.add(.errorReplies)
        return startedAt
    }

    /// Adds the command to SLOWLOG (rare: only commands over the threshold get here).
    @inline(never)
    private static func recordSlow(
        _ connection: UnsafeMutablePointer<Connection>, _ arguments: UnsafeMutablePointer<CommandArguments>,
        _ buffer: UnsafeRawBufferPointer, _ microseconds: UInt64, _ slowLog: SlowLog
    ) {
        let (address, name) = connection.pointee.withClient { ($0.address, $0.names.withLock { $0.name }) }
        slowLog.record(microseconds: microseconds, arguments: arguments.pointee.count, { arguments.pointee.argument($0, in: buffer) },
                       address: address, clientName: name)
    }

    /// `-ERR unknown command 'name', with args beginning with: 'a' 'b' ` built from the raw
    /// bytes as Redis builds it: the name up to 128 bytes, then arguments while the list is
    /// under 128 bytes, each cut to what is left; C-string semantics end each at a NUL; CR
    /// and LF become spaces.
    private static func writeUnknownCommand(
        _ arguments: UnsafeMutablePointer<CommandArguments>, _ buffer: UnsafeRawBufferPointer,
        _ reply: UnsafeMutablePointer<ReplyWriter>
    ) {
        func cString(_ bytes: UnsafeRawBufferPointer, max: Int) -> ArraySlice<UInt8> {
            Array(bytes.prefix { $0 != 0 }).prefix(max)
        }
        var message = Array("-ERR unknown command '".utf8)
        message += cString(arguments.pointee.argument(0, in: buffer), max: 128)
        message += Array("', with args beginning with: ".utf8)
        var listed = 0
        var index = 1
        while index < arguments.pointee.count && listed < 128 {
            let text = cString(arguments.pointee.argument(index, in: buffer), max: 128 - listed)
            message.append(UInt8(ascii: "'"))
            message += text
            message += Array("' ".utf8)
            listed += text.count + 3
            index += 1
        }
        for i in 1..<message.count where message[i] == UInt8(ascii: "\r") || message[i] == UInt8(ascii: "\n") {
            message[i] = UInt8(ascii: " ")
        }
        message += [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        message.withUnsafeBytes { reply.pointee.output.append($0) }
    }
}
