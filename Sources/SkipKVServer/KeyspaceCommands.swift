#if canImport(Glibc)
import Glibc
#endif
import SkipKVIndex
import SkipKVPersistence
import SkipKVProtocol

/// Commands over keys as a set: DEL, EXISTS, KEYS, SCAN, DBSIZE, FLUSHDB/FLUSHALL.
enum KeyspaceCommands {
    /// DEL and UNLINK (removal is immediate either way: a B-skiplist delete frees the entry
    /// under its node lock, there is nothing to hand to a background thread). Several keys
    /// are removed as one transaction: no reader sees some gone and the rest still there.
    static func del(_ c: CommandContext) {
        if c.count == 2 { return c.reply.pointee.writeInteger(c.keyspace.remove(c.argument(1)) ? 1 : 0) }
        let keys = (1..<c.count).map { c.argument($0) }
        let removed = c.keyspace.withKeys(keys) { write in keys.reduce(0) { $0 + (write.remove($1) ? 1 : 0) } }
        c.reply.pointee.writeInteger(removed)
    }

    static func exists(_ c: CommandContext) {
        var found = 0
        for index in 1..<c.count where c.keyspace.contains(c.argument(index)) { found += 1 }
        c.reply.pointee.writeInteger(found)
    }

    /// KEYS pattern, in key order. Only the range the pattern's literal prefix allows is
    /// visited.
    static func keys(_ c: CommandContext) {
        let pattern = c.argument(1)
        let matchAll = pattern.count == 1 && pattern[0] == UInt8(ascii: "*")
        c.writeDeferredArray { scratch in
            var matched = 0
            c.keyspace.forEach(in: GlobRange.keys(matching: pattern), includeValues: false) { key, _ in
                if matchAll || GlobPattern.matches(pattern, key) {
                    scratch.pointee.writeBulkString(key)
                    matched += 1
                }
                return true
            }
            return matched
        }
    }

    /// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]: up to COUNT keys in key order
    /// after the cursor's position (see `ScanPosition` for the cursor encoding).
    static func scan(_ c: CommandContext) {
        guard let cursor = parseCursor(c.argument(1)) else {
            c.error("ERR invalid cursor")
            return
        }
        var count = 10
        var pattern: UnsafeRawBufferPointer? = nil
        var typeMatches = true
        var index = 2
        while index < c.count {
            guard index + 1 < c.count else {
                c.error(ErrorText.syntax)
                return
            }
            if c.argument(index, is: "COUNT") {
                guard let value = c.integer(index + 1) else { return }
                guard value >= 1 else {
                    c.error(ErrorText.syntax)
                    return
                }
                count = Int(clamping: value)
            } else if c.argument(index, is: "MATCH") {
                pattern = c.argument(index + 1)
            } else if c.argument(index, is: "TYPE") {
                // Every SkipKV value is a string.
                typeMatches = c.argument(index + 1, is: "string")
            } else {
                c.error(ErrorText.syntax)
                return
            }
            index += 2
        }
        let matchAll = pattern.map { $0.count == 1 && $0[0] == UInt8(ascii: "*") } ?? true
        let range = pattern.map { GlobRange.keys(matching: $0) } ?? .all
        var next: UInt64 = 0
        c.reply.pointee.writeArrayHeader(count: 2)
        // The cursor goes first in the reply but is known last, so the keys are collected in
        // the scratch writer.
        let scratch = c.loop.scratch
        scratch.pointee.version = c.reply.pointee.version
        var matched = 0
        next = c.keyspace.scan(cursor: cursor, count: count, within: range) { key in
            if typeMatches && (matchAll || GlobPattern.matches(pattern!, key)) {
                scratch.pointee.writeBulkString(key)
                matched += 1
            }
        }
        var text = String(next)
        text.withUTF8 { c.reply.pointee.writeBulkString(UnsafeRawBufferPointer($0)) }
        c.reply.pointee.writeArrayHeader(count: matched)
        c.reply.pointee.output.append(scratch.pointee.output.readableBytes)
        scratch.pointee.output.removeAll(maximumRetainedCapacity: 1024 * 1024)
    }

    /// A cursor as Redis reads one (`strtoul`): decimal digits, optionally negative (taken
    /// modulo 2^64), no spaces, no overflow.
    private static func parseCursor(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        var digits = Substring(String(decoding: bytes, as: UTF8.self))
        let negative = digits.first == "-"
        if negative || digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt64(digits) else { return nil }
        return negative ? 0 &- value : value
    }

    static func dbsize(_ c: CommandContext) {
        c.reply.pointee.writeInteger(c.keyspace.count)
    }

    /// FLUSHDB / FLUSHALL [ASYNC|SYNC]: there is one database, so both empty the keyspace.
    static func flush(_ c: CommandContext) {
        guard c.count == 1 || (c.count == 2 && (c.argument(1, is: "ASYNC") || c.argument(1, is: "SYNC"))) else {
            c.error(ErrorText.syntax)
            return
        }
        c.keyspace.removeAll()
        c.reply.pointee.writeOK()
    }
}

extension KeyspaceCommands {
    /// TOUCH key…: how many of the keys exist; reading each records an access, as a GET does
    /// (what LRU and LFU eviction rank by).
    static func touch(_ c: CommandContext) {
        var found = 0
        for index in 1..<c.count where c.keyspace.withValue(forKey: c.argument(index), { _ in () }) != nil { found += 1 }
        c.reply.pointee.writeInteger(found)
    }

    /// RANDOMKEY: a key chosen uniformly (`Keyspace.randomKey`), null when there is none.
    static func randomkey(_ c: CommandContext) {
        if let key = c.keyspace.reference._withUnsafeGuaranteedRef({ $0.randomKey() }) {
            key.withUnsafeBytes { c.reply.pointee.writeBulkString($0) }
        } else {
            c.reply.pointee.writeNull()
        }
    }
}
