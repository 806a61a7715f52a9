/// One entry inside a snapshot block payload. Version 3: LEB128 key length, key, LEB128
/// (value length << 1 | hasDeadline), value, then, only when hasDeadline, the key's deadline
/// as an i64 (Unix milliseconds, > 0). Versions 1 and 2: LEB128 key length, key, LEB128 value
/// length, value; their keys have no deadline, reported as 0. Folding the flag into the value
/// length keeps a key without a deadline as small as before, as most keys have none.
enum SnapshotEntry {
    /// Encoded bytes of a version 3 entry with a key and a value of these lengths and this
    /// deadline (0: none).
    static func size(keyCount: Int, valueCount: Int, deadline: Int64) -> Int {
        LEB128.size(keyCount) + keyCount + LEB128.size(valueField(valueCount, deadline)) + valueCount + deadlineSize(deadline)
    }

    /// The LEB128 number before the value: its length and whether a deadline follows it.
    static func valueField(_ valueCount: Int, _ deadline: Int64) -> Int {
        valueCount << 1 | (deadline != 0 ? 1 : 0)
    }

    /// Bytes the deadline takes after the value: none when there is none.
    private static func deadlineSize(_ deadline: Int64) -> Int {
        deadline != 0 ? 8 : 0
    }

    /// Writes the deadline field that closes an entry at `to`, nothing for 0; returns its size.
    static func writeDeadline(_ deadline: Int64, to: UnsafeMutableRawPointer) -> Int {
        if deadline != 0 { LittleEndian.store64(UInt64(bitPattern: deadline), to) }
        return deadlineSize(deadline)
    }

    /// Encodes a version 3 entry at `to` (room for `size` bytes) and returns the bytes written.
    static func write(
        key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, deadline: Int64, to: UnsafeMutableRawPointer
    ) -> Int {
        var p = to + LEB128.write(key.count, to: to)
        copyBytes(key, to: p)
        p += key.count
        p += LEB128.write(valueField(value.count, deadline), to: p)
        copyBytes(value, to: p)
        p += value.count
        p += writeDeadline(deadline, to: p)
        return p - to
    }

    /// Calls `visit` for each entry of `payload` (in the entry layout of version 3 when
    /// `withDeadlines`, of versions 1 and 2 otherwise) and returns how many there are, or nil
    /// (after visiting the well-formed ones) when the payload is not a whole number of
    /// entries. Readers validate with a no-op `visit` first, so that a bad block delivers
    /// nothing.
    static func forEach(
        in payload: UnsafeRawBufferPointer, withDeadlines: Bool,
        _ visit: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, _ deadline: Int64) throws -> Void
    ) rethrows -> Int? {
        var cursor = 0
        var count = 0
        while cursor < payload.count {
            guard let keyCount = LEB128.read(payload, at: &cursor), let key = bytes(payload, &cursor, keyCount),
                let valueField = LEB128.read(payload, at: &cursor)
            else { return nil }
            let hasDeadline = withDeadlines && valueField & 1 == 1
            guard let value = bytes(payload, &cursor, withDeadlines ? valueField >> 1 : valueField) else { return nil }
            var deadline: Int64 = 0
            if hasDeadline {
                guard let field = bytes(payload, &cursor, 8) else { return nil }
                deadline = Int64(bitPattern: LittleEndian.load64(field.baseAddress!))
                // A writer stores a deadline only when there is one.
                guard deadline > 0 else { return nil }
            }
            try visit(key, value, deadline)
            count += 1
        }
        return count
    }

    /// The `count` bytes at `cursor`, or nil when they run past the payload.
    private static func bytes(_ payload: UnsafeRawBufferPointer, _ cursor: inout Int, _ count: Int) -> UnsafeRawBufferPointer? {
        guard count <= payload.count - cursor else { return nil }
        defer { cursor += count }
        return UnsafeRawBufferPointer(rebasing: payload[cursor..<cursor + count])
    }
}
