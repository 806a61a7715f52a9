import SkipKVPersistence

/// MULTI, EXEC, DISCARD, WATCH, UNWATCH and WATCHRANGE, with Redis 7's replies and errors
/// (multi.c). Queuing itself happens in `CommandExecutor`, which decides from each
/// command's `transactionRole` whether it is queued or runs at once.
///
/// EXEC runs the queued commands as one `KeyspaceTransaction` holding the stripes of every
/// key they name (every stripe when one of them works on a range or the whole keyspace, or
/// the client watches a range): no other client's write to those keys lands between them,
/// no reader on any loop sees their effects before all are done, and their writes reach
/// the log as one record. docs/ARCHITECTURE.md, "Transactions".
enum TransactionCommands {
    static func multi(_ c: CommandContext) {
        guard c.connection.pointee.queued == nil else { return c.error("ERR MULTI calls can not be nested") }
        let queued = UnsafeMutablePointer<QueuedCommands>.allocate(capacity: 1)
        queued.initialize(to: QueuedCommands())
        c.connection.pointee.queued = queued
        c.connection.pointee.withClient { $0.queuedCommands.store(0, ordering: .relaxed) }
        c.reply.pointee.writeOK()
    }

    static func discard(_ c: CommandContext) {
        guard c.connection.pointee.queued != nil else { return c.error("ERR DISCARD without MULTI") }
        discardTransaction(c.connection, c.keyspace)
        c.reply.pointee.writeOK()
    }

    static func watch(_ c: CommandContext) {
        guard c.connection.pointee.queued == nil else { return c.error("ERR WATCH inside MULTI is not allowed") }
        let watcher = watcherOf(c.connection)
        // Already dirty: the next EXEC fails whatever else is watched (Redis does the same).
        if !watcher.isDirty {
            c.keyspace.journal._withUnsafeGuaranteedRef { journal in
                for index in 1..<c.count { journal.watch(c.argument(index), by: watcher) }
            }
        }
        c.reply.pointee.writeOK()
    }

    /// WATCHRANGE min max: EXEC fails when a key between min and max (RANGE's bounds) was
    /// written, created, removed or expired after this.
    static func watchrange(_ c: CommandContext) {
        guard c.connection.pointee.queued == nil else { return c.error("ERR WATCHRANGE inside MULTI is not allowed") }
        guard let range = RangeCommands.watchedRange(c) else { return }
        let watcher = watcherOf(c.connection)
        if !watcher.isDirty, let range {
            c.keyspace.journal._withUnsafeGuaranteedRef { $0.watch(range: range, by: watcher) }
        }
        c.reply.pointee.writeOK()
    }

    static func unwatch(_ c: CommandContext) {
        if let watcher = c.connection.pointee.watcher {
            c.keyspace.journal._withUnsafeGuaranteedRef { $0.unwatchAll(watcher) }
        }
        c.reply.pointee.writeOK()
    }

    static func exec(_ c: CommandContext) {
        let connection = c.connection
        guard let queued = connection.pointee.queued else { return c.error("ERR EXEC without MULTI") }
        defer { discardTransaction(connection, c.keyspace) }
        if queued.pointee.refused {
            return c.error("EXECABORT Transaction discarded because of previous errors.")
        }
        let journal = c.keyspace.journal.takeUnretainedValue()
        var held = queued.pointee.stripes
        let watcher = connection.pointee.watcher
        if let watcher { held.formUnion(journal.stripes(watchedBy: watcher)) }
        // Read-only transactions (Redis's "readonly" commands only) keep writers out but
        // leave readers on other loops alone: they have nothing to hide.
        var transaction = journal.begin(held, writes: queued.pointee.flags.contains(.write))
        if let watcher, transaction.watchesBroken(watcher) {
            var unused: UInt64 = 0
            journal.commit(&transaction, lsn: &unused)
            return c.reply.pointee.writeNullArray()
        }
        let loop = c.loop
        loop.transaction.pointee = transaction
        c.reply.pointee.writeArrayHeader(count: queued.pointee.commands.count)
        for command in queued.pointee.commands {
            CommandExecutor.runQueued(command, of: queued, connection: connection, loop: loop)
        }
        transaction = loop.transaction.pointee.take()!
        journal.commit(&transaction, lsn: &loop.commandLSN.pointee)
    }

    /// Leaves MULTI (if in it) and drops every watch: EXEC's and DISCARD's end, and a
    /// closing connection's.
    static func discardTransaction(_ connection: UnsafeMutablePointer<Connection>, _ keyspace: KeyspaceHandle) {
        if let queued = connection.pointee.queued {
            queued.deinitialize(count: 1)
            queued.deallocate()
            connection.pointee.queued = nil
            connection.pointee.withClient { $0.queuedCommands.store(-1, ordering: .relaxed) }
        }
        if let watcher = connection.pointee.watcher {
            keyspace.journal._withUnsafeGuaranteedRef { $0.unwatchAll(watcher) }
        }
    }

    private static func watcherOf(_ connection: UnsafeMutablePointer<Connection>) -> Watcher {
        if let watcher = connection.pointee.watcher { return watcher }
        let watcher = Watcher()
        connection.pointee.watcher = watcher
        return watcher
    }
}
