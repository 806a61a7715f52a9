import SkipKVKeys
import SkipKVProtocol

/// RANGE, RANGECOUNT and RANGEDEL: ordered range operations with ZRANGEBYLEX-style bounds,
/// always written low bound first (also with REV).
enum RangeCommands {
    /// RANGE min max [REV] [LIMIT offset count] [NOVALUES] → `k1 v1 k2 v2 ...` (keys only with
    /// NOVALUES), in key order or reversed; offset and count apply in that order. Options are
    /// checked before the bounds, as Redis's ZRANGEBYLEX does.
    static func range(_ c: CommandContext) {
        var reverse = false
        var includeValues = true
        var offset: Int64 = 0
        var limit: Int64 = -1
        var index = 3
        while index < c.count {
            if c.argument(index, is: "REV") {
                reverse = true
            } else if c.argument(index, is: "NOVALUES") {
                includeValues = false
            } else if c.argument(index, is: "LIMIT") && index + 2 < c.count {
                guard let parsedOffset = c.integer(index + 1), let parsedLimit = c.integer(index + 2) else { return }
                offset = parsedOffset
                limit = parsedLimit
                index += 2
            } else {
                c.error(ErrorText.syntax)
                return
            }
            index += 1
        }
        guard let range = keyRange(c) else { return }
        c.writeDeferredArray { scratch in
            // A negative offset selects nothing, as in ZRANGEBYLEX.
            guard offset >= 0, let range else { return 0 }
            let visited = c.keyspace.forEach(
                in: range, reverse: reverse, offset: Int(clamping: offset), limit: limit < 0 ? -1 : Int(clamping: limit),
                includeValues: includeValues
            ) { key, value in
                scratch.pointee.writeBulkString(key)
                if includeValues { scratch.pointee.writeBulkString(value) }
                return true
            }
            return includeValues ? visited * 2 : visited
        }
    }

    static func rangecount(_ c: CommandContext) {
        guard let range = keyRange(c) else { return }
        c.reply.pointee.writeInteger(range.map { c.keyspace.count(in: $0) } ?? 0)
    }

    static func rangedel(_ c: CommandContext) {
        guard let range = keyRange(c) else { return }
        c.reply.pointee.writeInteger(range.map { c.keyspace.removeAll(in: $0) } ?? 0)
    }

    /// WATCHRANGE's bounds, read as RANGE's (`keyRange`). A separate entry point keeps
    /// `keyRange` private to this file, where the optimizer specializes it for RANGE's path.
    static func watchedRange(_ c: CommandContext) -> KeyRange?? {
        keyRange(c)
    }

    /// The range given by arguments 1 and 2. Returns nil after replying with Redis's error
    /// when a bound is malformed, and `.some(nil)` when the bounds are valid but select
    /// nothing (`+` as min or `-` as max).
    private static func keyRange(_ c: CommandContext) -> KeyRange?? {
        guard let low = LexRangeBound.parse(c.argument(1)), let high = LexRangeBound.parse(c.argument(2)) else {
            c.error(LexRangeBound.invalidMessage)
            return nil
        }
        let lower: RangeBound
        switch low {
        case .lowest: lower = .unbounded
        case .highest: return .some(nil)
        case .inclusive(let key): lower = .inclusive(Array(key))
        case .exclusive(let key): lower = .exclusive(Array(key))
        }
        let upper: RangeBound
        switch high {
        case .highest: upper = .unbounded
        case .lowest: return .some(nil)
        case .inclusive(let key): upper = .inclusive(Array(key))
        case .exclusive(let key): upper = .exclusive(Array(key))
        }
        return .some(KeyRange(lower: lower, upper: upper))
    }
}
