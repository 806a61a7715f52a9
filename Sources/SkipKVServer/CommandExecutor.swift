import SkipKVProtocol
import SkipKVSystem

/// Runs one parsed command: finds it by name, checks arity and authentication, dispatches
/// with a `switch` on the command id, and records the call in the loop's stats. Checks and
/// error texts follow Redis's `processCommand` order: unknown command, then arity, then
/// authentication.
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
        guard let command = CommandLookup.shared.find(arguments.pointee.argument(0, in: buffer)) else {
            writeUnknownCommand(arguments, buffer, reply)
            loop.stats.add(.errorReplies)
            return startedAt
        }
        let count = arguments.pointee.count
        let arity = command.arity
        if arity > 0 ? count != arity : count < -arity {
            reply.pointee.writeError(ErrorText.arity(command.name))
            loop.stats.add(.rejected, for: command)
            loop.stats.add(.errorReplies)
            return startedAt
        }
        // As in Redis, clearing requirepass at run time lets every client in at once.
        if !connection.pointee.authenticated && !command.allowedBeforeAuthentication
            && loop.withSettings({ $0.passwordRequired.load(ordering: .relaxed) }) {
            reply.pointee.writeError(ErrorText.noAuth)
            loop.stats.add(.rejected, for: command)
            loop.stats.add(.errorReplies)
            return startedAt
        }
        if !loop.loaded && !loop.checkLoaded() && !command.allowedWhileLoading {
            reply.pointee.writeError(ErrorText.loading)
            loop.stats.add(.rejected, for: command)
            loop.stats.add(.errorReplies)
            return startedAt
        }
        if command.isWrite && loop.persistence._withUnsafeGuaranteedRef({ $0.refusingWrites.load(ordering: .relaxed) }) {
            reply.pointee.writeError(loop.persistence._withUnsafeGuaranteedRef { $0.writeRefusal })
            loop.stats.add(.rejected, for: command)
            loop.stats.add(.errorReplies)
            return startedAt
        }
        let replyStart = reply.pointee.output.count
        dispatch(command, CommandContext(connection: connection, loop: loop, arguments: arguments, buffer: buffer))
        let lsn = loop.commandLSN.pointee
        if lsn != 0 {
            connection.pointee.requiredLSN = lsn
            loop.commandLSN.pointee = 0
        }
        let finishedAt = monotonicMicroseconds()
        let stats = loop.stats
        stats.add(.calls, for: command)
        stats.add(.microseconds, for: command, finishedAt &- startedAt)
        stats.add(.commandsProcessed)
        // QUIT may already have sent its reply, so look only when the reply is still there.
        let output = reply.pointee.output.readableBytes
        if output.count > replyStart && output[replyStart] == UInt8(ascii: "-") {
            stats.add(.failed, for: command)
            stats.add(.errorReplies)
        }
        connection.pointee.withClient { $0.lastCommand.store(command.rawValue, ordering: .relaxed) }
        return finishedAt
    }

    @inline(__always)
    private static func dispatch(_ command: CommandID, _ c: CommandContext) {
        switch command {
        case .get: StringCommands.get(c)
        case .set: StringCommands.set(c)
        case .setnx: StringCommands.setnx(c)
        case .getset: StringCommands.getset(c)
        case .getdel: StringCommands.getdel(c)
        case .mget: StringCommands.mget(c)
        case .mset: StringCommands.mset(c)
        case .del, .unlink: KeyspaceCommands.del(c)
        case .exists: KeyspaceCommands.exists(c)
        case .incr: StringCommands.incr(c)
        case .decr: StringCommands.decr(c)
        case .incrby: StringCommands.incrby(c)
        case .decrby: StringCommands.decrby(c)
        case .append: StringCommands.append(c)
        case .strlen: StringCommands.strlen(c)
        case .type: StringCommands.type(c)
        case .keys: KeyspaceCommands.keys(c)
        case .scan: KeyspaceCommands.scan(c)
        case .range: RangeCommands.range(c)
        case .rangecount: RangeCommands.rangecount(c)
        case .rangedel: RangeCommands.rangedel(c)
        case .dbsize: KeyspaceCommands.dbsize(c)
        case .flushdb, .flushall: KeyspaceCommands.flush(c)
        case .ping: ConnectionCommands.ping(c)
        case .echo: ConnectionCommands.echo(c)
        case .quit: ConnectionCommands.quit(c)
        case .hello: ConnectionCommands.hello(c)
        case .auth: ConnectionCommands.auth(c)
        case .select: ConnectionCommands.select(c)
        case .client: ClientCommands.client(c)
        case .command: CommandCommand.command(c)
        case .config: ConfigCommand.config(c)
        case .info: InfoCommand.info(c)
        case .time: ServerCommands.time(c)
        case .shutdown: ServerCommands.shutdown(c)
        case .save: PersistenceCommands.save(c)
        case .bgsave: PersistenceCommands.bgsave(c)
        case .bgrewriteaof: PersistenceCommands.bgrewriteaof(c)
        case .lastsave: PersistenceCommands.lastsave(c)
        }
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
