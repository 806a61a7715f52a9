import SkipKVIndex
import SkipKVPersistence
import SkipKVProtocol

/// GET, SET and the other string commands. Values go from the index straight into the
/// reply buffer inside the index's callback, so a read copies the value exactly once.
enum StringCommands {
    static func get(_ c: CommandContext) {
        writeValue(c, of: c.argument(1))
    }

    /// Replies with the key's value, or null when absent, and counts the hit or miss.
    @inline(__always)
    private static func writeValue(_ c: CommandContext, of key: UnsafeRawBufferPointer) {
        let found = c.keyspace.withValue(forKey: key) { value -> Bool in
            c.reply.pointee.writeBulkString(value)
            return true
        } ?? false
        if found {
            c.loop.stats.add(.keyspaceHits)
        } else {
            c.reply.pointee.writeNull()
            c.loop.stats.add(.keyspaceMisses)
        }
    }

    /// SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT time | KEEPTTL]. Without KEEPTTL the key
    /// loses any deadline it had; a time already past leaves the key expired at once.
    static func set(_ c: CommandContext) {
        if c.count == 3 {
            // The common case, without options: no option parsing on the hot path.
            c.keyspace.put(c.argument(1), c.argument(2))
            c.reply.pointee.writeOK()
            return
        }
        guard let options = ExpiryArguments.parse(c, from: 3, forSet: true) else { return }
        let deadline: Int64
        if options.form == nil {
            deadline = 0
        } else {
            guard let parsed = options.deadline(c, command: "set", now: c.keyspace.now) else { return }
            deadline = parsed
        }
        let key = c.argument(1)
        let value = c.argument(2)
        let condition = options.condition
        guard options.returnOld else {
            let change = options.keepTTL ? DeadlineChange.keep : .set(deadline)
            if c.keyspace.put(key, value, condition: condition, deadline: change) == .skipped {
                c.reply.pointee.writeNull()
            } else {
                c.reply.pointee.writeOK()
            }
            return
        }
        // SET ... GET replies with the old value whether or not the condition let the write
        // happen, so the read and the write must be one atomic step.
        c.keyspace.update(key) { current -> (UpdateAction, Void) in
            if let current { c.reply.pointee.writeBulkString(current) } else { c.reply.pointee.writeNull() }
            switch condition {
            case .ifAbsent where current != nil, .ifPresent where current == nil:
                return (.keep, ())
            default:
                return (options.keepTTL ? .store(Array(value)) : .storeWithDeadline(Array(value), deadline), ())
            }
        }
    }

    static func setnx(_ c: CommandContext) {
        let outcome = c.keyspace.put(c.argument(1), c.argument(2), condition: .ifAbsent)
        c.reply.pointee.writeInteger(outcome == .inserted ? 1 : 0)
    }

    static func getset(_ c: CommandContext) {
        let value = c.argument(2)
        c.keyspace.update(c.argument(1)) { current -> (UpdateAction, Void) in
            if let current { c.reply.pointee.writeBulkString(current) } else { c.reply.pointee.writeNull() }
            return (.storeWithDeadline(Array(value), 0), ())
        }
    }

    static func getdel(_ c: CommandContext) {
        c.keyspace.update(c.argument(1)) { current -> (UpdateAction, Void) in
            guard let current else {
                c.reply.pointee.writeNull()
                return (.keep, ())
            }
            c.reply.pointee.writeBulkString(current)
            return (.remove, ())
        }
    }

    static func mget(_ c: CommandContext) {
        c.reply.pointee.writeArrayHeader(count: c.count - 1)
        for index in 1..<c.count { writeValue(c, of: c.argument(index)) }
    }

    /// MSET stores every pair as one transaction over their keys: no reader on any loop sees
    /// some of them before the rest, and the log holds them as one record.
    static func mset(_ c: CommandContext) {
        guard hasPairs(c, "mset") else { return }
        let (keys, values) = pairs(c)
        c.keyspace.withKeys(keys) { write in
            for index in keys.indices { write.put(keys[index], values[index], deadline: 0) }
        }
        c.reply.pointee.writeOK()
    }

    /// MSETNX stores every pair only when none of the keys exists, as one transaction.
    static func msetnx(_ c: CommandContext) {
        guard hasPairs(c, "msetnx") else { return }
        let (keys, values) = pairs(c)
        c.reply.pointee.writeInteger(c.keyspace.withKeys(keys) { $0.putAllIfAbsent(keys: keys, values: values) } ? 1 : 0)
    }

    /// The keys and the values of MSET's and MSETNX's pairs.
    private static func pairs(_ c: CommandContext) -> (keys: [UnsafeRawBufferPointer], values: [UnsafeRawBufferPointer]) {
        var keys: [UnsafeRawBufferPointer] = []
        var values: [UnsafeRawBufferPointer] = []
        keys.reserveCapacity(c.count / 2)
        values.reserveCapacity(c.count / 2)
        for index in stride(from: 1, to: c.count, by: 2) {
            keys.append(c.argument(index))
            values.append(c.argument(index + 1))
        }
        return (keys, values)
    }

    /// Whether the arguments after the name are key-value pairs; if not, replies with Redis's
    /// arity error (the table's arity cannot say "odd").
    private static func hasPairs(_ c: CommandContext, _ name: String) -> Bool {
        guard c.count % 2 == 1 else {
            c.error(ErrorText.arity(name))
            return false
        }
        return true
    }

    static func incr(_ c: CommandContext) { incrementBy(c, 1) }

    static func decr(_ c: CommandContext) { incrementBy(c, -1) }

    static func incrby(_ c: CommandContext) {
        guard let delta = c.integer(2) else { return }
        incrementBy(c, delta)
    }

    static func decrby(_ c: CommandContext) {
        guard let delta = c.integer(2) else { return }
        guard delta != Int64.min else {
            c.error("ERR decrement would overflow")
            return
        }
        incrementBy(c, -delta)
    }

    private enum Increment {
        case value(Int64)
        case notInteger
        case overflow
    }

    /// Adds `delta` to the integer stored at the key (0 when absent) in one atomic step.
    private static func incrementBy(_ c: CommandContext, _ delta: Int64) {
        let outcome = c.keyspace.update(c.argument(1)) { current -> (UpdateAction, Increment) in
            var base: Int64 = 0
            if let current {
                guard let parsed = StrictInteger.parse(current) else { return (.keep, .notInteger) }
                base = parsed
            }
            let (sum, overflow) = base.addingReportingOverflow(delta)
            if overflow { return (.keep, .overflow) }
            return (.store(decimalBytes(sum)), .value(sum))
        }
        switch outcome {
        case .value(let value): c.reply.pointee.writeInteger(value)
        case .notInteger: c.error(ErrorText.notInteger)
        case .overflow: c.error(ErrorText.overflow)
        }
    }

    static func append(_ c: CommandContext) {
        let suffix = c.argument(2)
        let length = c.keyspace.update(c.argument(1)) { current -> (UpdateAction, Int) in
            var combined: [UInt8] = []
            combined.reserveCapacity((current?.count ?? 0) + suffix.count)
            if let current { combined.append(contentsOf: current) }
            combined.append(contentsOf: suffix)
            return (.store(combined), combined.count)
        }
        c.reply.pointee.writeInteger(length)
    }

    static func strlen(_ c: CommandContext) {
        c.reply.pointee.writeInteger(c.keyspace.withValue(forKey: c.argument(1)) { $0.count } ?? 0)
    }

    static func type(_ c: CommandContext) {
        c.reply.pointee.writeSimpleString(c.keyspace.contains(c.argument(1)) ? "string" : "none")
    }

    /// The decimal text of `value`, as INCR stores it.
    private static func decimalBytes(_ value: Int64) -> [UInt8] {
        var text = String(value)
        return text.withUTF8 { Array($0) }
    }
}
