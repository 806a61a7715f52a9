import SkipKVPersistence

/// RENAME, RENAMENX and COPY: commands that change two keys, each through one
/// `KeyspaceHandle.withKeys` call, so the change is atomic (no reader or writer on any loop
/// sees it half done) and logged as one batch record.
enum RenameCommands {
    static func rename(_ c: CommandContext) { move(c, onlyIfAbsent: false) }

    static func renamenx(_ c: CommandContext) { move(c, onlyIfAbsent: true) }

    /// Redis's order of checks: a missing source is an error even when both names are the
    /// same; an existing source renamed to itself changes nothing (RENAME: OK, RENAMENX: 0).
    private static func move(_ c: CommandContext, onlyIfAbsent: Bool) {
        let source = c.argument(1)
        let destination = c.argument(2)
        let moved: Bool? = c.keyspace.withKeys([source, destination]) { write in
            guard let (value, deadline) = write.entry(source) else { return nil }
            if source.elementsEqual(destination) { return !onlyIfAbsent }
            if onlyIfAbsent && write.contains(destination) { return false }
            // The deadline moves with the value; the destination's own is dropped.
            value.withUnsafeBytes { write.put(destination, $0, deadline: deadline) }
            write.remove(source)
            return true
        }
        guard let moved else { return c.error("ERR no such key") }
        if onlyIfAbsent {
            c.reply.pointee.writeInteger(moved ? 1 : 0)
        } else {
            c.reply.pointee.writeOK()
        }
    }

    /// COPY source destination [DB destination-db] [REPLACE]. There is one database: DB 0 is
    /// accepted and any other index is refused with the error Redis gives for an index past
    /// its `databases` setting.
    static func copy(_ c: CommandContext) {
        var replace = false
        var index = 3
        while index < c.count {
            if c.argument(index, is: "REPLACE") {
                replace = true
            } else if c.argument(index, is: "DB") && index + 1 < c.count {
                guard let database = c.integer(index + 1) else { return }
                guard Int32(exactly: database) != nil else {
                    return c.error("ERR value is out of range, value must between -2147483648 and 2147483647")
                }
                guard database == 0 else { return c.error("ERR DB index is out of range") }
                index += 1
            } else {
                return c.error(ErrorText.syntax)
            }
            index += 1
        }
        let source = c.argument(1)
        let destination = c.argument(2)
        guard !source.elementsEqual(destination) else { return c.error("ERR source and destination objects are the same") }
        let copied = c.keyspace.withKeys([source, destination]) { write in
            guard let (value, deadline) = write.entry(source) else { return false }
            if !replace && write.contains(destination) { return false }
            value.withUnsafeBytes { write.put(destination, $0, deadline: deadline) }
            return true
        }
        c.reply.pointee.writeInteger(copied ? 1 : 0)
    }
}
