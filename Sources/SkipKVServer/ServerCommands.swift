#if canImport(Glibc)
import Glibc
#endif

/// TIME and SHUTDOWN.
enum ServerCommands {
    static func time(_ c: CommandContext) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        c.reply.pointee.writeArrayHeader(count: 2)
        c.reply.pointee.writeBulkString(String(now.tv_sec))
        c.reply.pointee.writeBulkString(String(now.tv_nsec / 1000))
    }

    /// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE]: SAVE takes a final snapshot, NOSAVE skips the
    /// one `save` rules would take; the log is fsynced either way (after every loop has
    /// stopped, in `Server.run`). NOW and FORCE are accepted and change nothing. Like Redis,
    /// no reply on success: the connection closes with the server, and requests pipelined
    /// after SHUTDOWN are not run.
    static func shutdown(_ c: CommandContext) {
        var choice = ShutdownSnapshot.asConfigured
        for index in 1..<c.count {
            if c.argument(index, is: "SAVE") { choice = .save }
            if c.argument(index, is: "NOSAVE") { choice = .noSave }
            guard c.argument(index, is: "NOSAVE") || c.argument(index, is: "SAVE")
                    || c.argument(index, is: "NOW") || c.argument(index, is: "FORCE") else {
                if c.argument(index, is: "ABORT") {
                    c.error("ERR No shutdown in progress.")
                } else {
                    c.error(ErrorText.syntax)
                }
                return
            }
        }
        c.server.shutdownSnapshot.store(choice.rawValue, ordering: .relaxed)
        c.server.logger.notice("User requested shutdown...")
        c.loop.finish(c.connection)
        c.server.requestShutdown()
    }
}
