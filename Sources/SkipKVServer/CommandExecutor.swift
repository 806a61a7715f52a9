import SkipKVProtocol
import SkipKVSystem

/// Runs one parsed command: finds its row in `CommandTable` by name (and, for a container,
/// by subcommand), checks arity, authentication, loading, memory and persistence against
/// the row's flags, calls the row's handler, and records the call in the loop's stats.
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
            writeUnknownCommand(arguments, buffer, reply)
            loop.stats.add(.errorReplies)
            return startedAt
        }
        let entries = CommandTable.shared.entries
        let count = arguments.pointee.count
        if !entries[command.rawValue].subcommands.isEmpty && count >= 2 {
            guard let subcommand = CommandTable.shared.findSubcommand(arguments.pointee.argument(1, in: buffer), of: command) else {
                let name = String(decoding: arguments.pointee.argument(1, in: buffer).prefix(128), as: UTF8.self)
                reply.pointee.writeError(ErrorText.unknownSubcommand(name, of: command.name))
                loop.stats.add(.errorReplies)
                return startedAt
            }
            command = subcommand
        }
        let entry = entries + command.rawValue
        if !entry.pointee.accepts(argumentCount: count) {
            reply.pointee.writeError(ErrorText.arity(command.name))
            loop.stats.add(.rejected, for: command)
            loop.stats.add(.errorReplies)
            return startedAt
        }
        let flags = entry.pointee.flags
        // As in Redis, clearing requirepass at run time lets every client in at once.
        if !connection.pointee.authenticated && !flags.contains(.noAuth)
            && loop.withSettings({ $0.passwordRequired.load(ordering: .relaxed) }) {
            reply.pointee.writeError(ErrorText.noAuth)
            loop.stats.add(.rejected, for: command)
            loop.stats.add(.errorReplies)
            return startedAt
        }
        if !loop.loaded && !loop.checkLoaded() && !flags.contains(.loading) {
            reply.pointee.writeError(ErrorText.loading)
            loop.stats.add(.rejected, for: command)
            loop.stats.add(.errorReplies)
            return startedAt
        }
        if !loop.memoryAdmits(flags) {
            reply.pointee.writeError(ErrorText.outOfMemory)
            loop.stats.add(.rejected, for: command)
            loop.stats.add(.errorReplies)
            return startedAt
        }
        if flags.contains(.write) && loop.persistence._withUnsafeGuaranteedRef({ $0.refusingWrites.load(ordering: .relaxed) }) {
            reply.pointee.writeError(loop.persistence._withUnsafeGuaranteedRef { $0.writeRefusal })
            loop.stats.add(.rejected, for: command)
            loop.stats.add(.errorReplies)
            return startedAt
        }
        let replyStart = reply.pointee.output.count
        // Only a container whose arity needs a subcommand has no handler, and it never gets here.
        entry.pointee.handler?(CommandContext(connection: connection, loop: loop, arguments: arguments, buffer: buffer))
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
        let duration = finishedAt &- startedAt
        if loop.server.slowLog.isSlow(duration) && !flags.contains(.skipSlowlog) {
            recordSlow(connection, arguments, buffer, duration, loop.server.slowLog)
        }
        return finishedAt
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
