import SkipKVIndex

/// GETRANGE (and its old name SUBSTR) and SETRANGE: byte ranges of a string value.
extension StringCommands {
    /// GETRANGE key start end, with Redis 7.0's index rules: negative indexes count from the
    /// end; both negative with start after end, or start after end once clamped to the
    /// string, give an empty string (so does a missing key).
    static func getrange(_ c: CommandContext) {
        guard let start = c.integer(2), let end = c.integer(3) else { return }
        let found = c.keyspace.withValue(forKey: c.argument(1)) { value -> Bool in
            if let range = byteRange(start: start, end: end, length: value.count) {
                c.reply.pointee.writeBulkString(UnsafeRawBufferPointer(rebasing: value[range]))
            } else {
                c.reply.pointee.writeBulkString([])
            }
            return true
        } ?? false
        if !found { c.reply.pointee.writeBulkString([]) }
    }

    /// The bytes `start...end` select in a string of `length` bytes, nil when none.
    private static func byteRange(start: Int64, end: Int64, length: Int) -> Range<Int>? {
        if start < 0 && end < 0 && start > end { return nil }
        let count = Int64(length)
        var first = start < 0 ? count &+ start : start
        var last = end < 0 ? count &+ end : end
        first = max(first, 0)
        last = min(max(last, 0), count - 1)
        guard first <= last && length > 0 else { return nil }
        return Int(first)..<Int(last + 1)
    }

    /// SETRANGE key offset value: overwrites from `offset`, padding with zero bytes. An empty
    /// value changes nothing (and creates no key); a result longer than `proto-max-bulk-len`
    /// is refused, as in Redis.
    static func setrange(_ c: CommandContext) {
        guard let offset = c.integer(2) else { return }
        guard offset >= 0 else {
            c.error("ERR offset is out of range")
            return
        }
        let patch = c.argument(3)
        let maxLength = Int64(c.server.settings.parserLimits.maxBulkLength)
        let (total, overflow) = offset.addingReportingOverflow(Int64(patch.count))
        let length = c.keyspace.update(c.argument(1)) { current -> (UpdateAction, Int?) in
            guard !patch.isEmpty else { return (.keep, current?.count ?? 0) }
            guard !overflow && total <= maxLength else { return (.keep, nil) }
            let start = Int(offset)
            var combined = [UInt8](repeating: 0, count: max(current?.count ?? 0, Int(total)))
            combined.withUnsafeMutableBytes { bytes in
                if let current { bytes.copyMemory(from: current) }
                UnsafeMutableRawBufferPointer(rebasing: bytes[start..<start + patch.count]).copyMemory(from: patch)
            }
            return (.store(combined), combined.count)
        }
        if let length {
            c.reply.pointee.writeInteger(length)
        } else {
            c.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
        }
    }
}
