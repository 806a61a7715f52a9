import SkipKVPersistence

/// SAVE, BGSAVE, BGREWRITEAOF and LASTSAVE. A snapshot here is fork-less: a scan of the live
/// keyspace paired with the log (see `Persistence`), so BGREWRITEAOF is a snapshot too: it
/// is what makes the log segments before it redundant.
enum PersistenceCommands {
    /// Takes the snapshot on this loop's thread: this loop's clients wait, the others go on.
    static func save(_ c: CommandContext) {
        do {
            try c.server.persistence.save()
            c.reply.pointee.writeOK()
        } catch PersistenceError.snapshotInProgress {
            c.error("ERR Background save already in progress")
        } catch {
            c.error("ERR \(error)")
        }
    }

    /// BGSAVE [SCHEDULE]
    static func bgsave(_ c: CommandContext) {
        let schedule = c.count == 2 && c.argument(1, is: "SCHEDULE")
        guard c.count == 1 || schedule else {
            c.error(ErrorText.syntax)
            return
        }
        startBackground(c, started: "Background saving started", scheduled: schedule ? "Background saving scheduled" : nil)
    }

    static func bgrewriteaof(_ c: CommandContext) {
        startBackground(
            c, started: "Background append only file rewriting started",
            scheduled: "Background append only file rewriting scheduled")
    }

    /// Starts a background snapshot; when one runs already, schedules another if
    /// `scheduled` (its reply) is given, else errors as Redis does.
    private static func startBackground(_ c: CommandContext, started: String, scheduled: String?) {
        do {
            try c.server.persistence.startBackgroundSave()
            c.reply.pointee.writeSimpleString(started)
        } catch PersistenceError.snapshotInProgress {
            if let scheduled {
                c.server.persistence.scheduleBackgroundSave()
                c.reply.pointee.writeSimpleString(scheduled)
            } else {
                c.error("ERR Background save already in progress")
            }
        } catch {
            c.error("ERR \(error)")
        }
    }

    static func lastsave(_ c: CommandContext) {
        c.reply.pointee.writeInteger(Int(c.server.persistence.lastSaveTime))
    }
}
