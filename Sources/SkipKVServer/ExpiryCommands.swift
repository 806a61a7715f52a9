import SkipKVIndex

/// Key expiry: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME,
/// PERSIST, SETEX, PSETEX and GETEX, with Redis 7's replies and errors. Deadlines are Unix
/// milliseconds kept beside the value (`BSkipList`); every change is one atomic step on the
/// key, logged with the absolute deadline it set.
enum ExpiryCommands {
    static func expire(_ c: CommandContext) { expireGeneric(c, seconds: true, absolute: false) }
    static func pexpire(_ c: CommandContext) { expireGeneric(c, seconds: false, absolute: false) }
    static func expireat(_ c: CommandContext) { expireGeneric(c, seconds: true, absolute: true) }
    static func pexpireat(_ c: CommandContext) { expireGeneric(c, seconds: false, absolute: true) }

    private struct Conditions: OptionSet {
        let rawValue: UInt8
        static let nx = Conditions(rawValue: 1)
        static let xx = Conditions(rawValue: 2)
        static let gt = Conditions(rawValue: 4)
        static let lt = Conditions(rawValue: 8)
    }

    /// Redis's expireGenericCommand: options first, then the time (any integer; only an
    /// overflow is an error), then the key. A time at or before now deletes the key.
    private static func expireGeneric(_ c: CommandContext, seconds: Bool, absolute: Bool) {
        var conditions: Conditions = []
        for index in 3..<max(3, c.count) {
            if c.argument(index, is: "NX") { conditions.insert(.nx) }
            else if c.argument(index, is: "XX") { conditions.insert(.xx) }
            else if c.argument(index, is: "GT") { conditions.insert(.gt) }
            else if c.argument(index, is: "LT") { conditions.insert(.lt) }
            else {
                c.error("ERR Unsupported option \(c.string(index))")
                return
            }
        }
        if conditions.contains(.nx) && !conditions.isDisjoint(with: [.xx, .gt, .lt]) {
            c.error("ERR NX and XX, GT or LT options at the same time are not compatible")
            return
        }
        if conditions.isSuperset(of: [.gt, .lt]) {
            c.error("ERR GT and LT options at the same time are not compatible")
            return
        }
        guard var when = c.integer(2) else { return }
        if seconds {
            guard when <= Int64.max / 1000 && when >= Int64.min / 1000 else {
                c.error(ExpiryArguments.invalidTime(c.string(0).lowercased()))
                return
            }
            when *= 1000
        }
        let now = c.keyspace.now
        let base = absolute ? 0 : now
        guard when <= Int64.max - base else {
            c.error(ExpiryArguments.invalidTime(c.string(0).lowercased()))
            return
        }
        when += base
        let changed = c.keyspace.updateWithDeadline(c.argument(1)) { current, deadline -> (UpdateAction, Bool) in
            guard current != nil else { return (.keep, false) }
            if conditions.contains(.nx) && deadline != 0 { return (.keep, false) }
            if conditions.contains(.xx) && deadline == 0 { return (.keep, false) }
            // No deadline counts as an infinite one: GT always fails, LT always passes.
            if conditions.contains(.gt) && (deadline == 0 || when <= deadline) { return (.keep, false) }
            if conditions.contains(.lt) && deadline != 0 && when >= deadline { return (.keep, false) }
            return (when <= now ? .remove : .setDeadline(when), true)
        }
        c.reply.pointee.writeInteger(changed ? 1 : 0)
    }

    static func ttl(_ c: CommandContext) { timeToLive(c, milliseconds: false, absolute: false) }
    static func pttl(_ c: CommandContext) { timeToLive(c, milliseconds: true, absolute: false) }
    static func expiretime(_ c: CommandContext) { timeToLive(c, milliseconds: false, absolute: true) }
    static func pexpiretime(_ c: CommandContext) { timeToLive(c, milliseconds: true, absolute: true) }

    /// -2 when the key is absent, -1 when it has no deadline; seconds are rounded to nearest.
    private static func timeToLive(_ c: CommandContext, milliseconds: Bool, absolute: Bool) {
        // Not an access (Redis's LOOKUP_NOTOUCH): asking how long a key lives does not keep it.
        guard let deadline = c.keyspace.deadline(ofKey: c.argument(1)) else {
            c.reply.pointee.writeInteger(-2)
            return
        }
        guard deadline != 0 else {
            c.reply.pointee.writeInteger(-1)
            return
        }
        let left = max(0, absolute ? deadline : deadline - c.keyspace.now)
        // Rounded in unsigned arithmetic: a deadline near Int64.max rounds up without overflow,
        // as Redis answers.
        c.reply.pointee.writeInteger(milliseconds ? left : Int64((UInt64(left) + 500) / 1000))
    }

    static func persist(_ c: CommandContext) {
        let removed = c.keyspace.updateWithDeadline(c.argument(1)) { current, deadline -> (UpdateAction, Bool) in
            guard current != nil, deadline != 0 else { return (.keep, false) }
            return (.setDeadline(0), true)
        }
        c.reply.pointee.writeInteger(removed ? 1 : 0)
    }

    static func setex(_ c: CommandContext) { setWithTime(c, .seconds) }
    static func psetex(_ c: CommandContext) { setWithTime(c, .milliseconds) }

    /// SETEX key seconds value, PSETEX key milliseconds value.
    private static func setWithTime(_ c: CommandContext, _ form: ExpiryArguments.Form) {
        guard let deadline = ExpiryArguments.deadline(c, 2, form, command: c.string(0).lowercased(), now: c.keyspace.now)
        else { return }
        c.keyspace.put(c.argument(1), c.argument(3), deadline: .set(deadline))
        c.reply.pointee.writeOK()
    }

    /// GETEX key [EX|PX|EXAT|PXAT time | PERSIST]: the value, and the deadline changed in the
    /// same step. As in Redis 7.0, an absent key replies null before the time is checked. An
    /// absolute time already past deletes the key (after replying its value).
    static func getex(_ c: CommandContext) {
        guard let options = ExpiryArguments.parse(c, from: 2, forSet: false) else { return }
        let now = c.keyspace.now
        c.keyspace.updateWithDeadline(c.argument(1)) { current, deadline -> (UpdateAction, Void) in
            guard let current else {
                c.reply.pointee.writeNull()
                return (.keep, ())
            }
            guard let newDeadline = options.deadline(c, command: "getex", now: now) else { return (.keep, ()) }
            c.reply.pointee.writeBulkString(current)
            if let form = options.form {
                return (!form.isRelative && newDeadline <= now ? .remove : .setDeadline(newDeadline), ())
            }
            return (options.persist && deadline != 0 ? .setDeadline(0) : .keep, ())
        }
    }
}
