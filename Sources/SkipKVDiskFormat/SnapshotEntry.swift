/// One key-value pair inside a snapshot block payload: LEB128 key length, key, LEB128 value
/// length, value.
enum SnapshotEntry {
    /// Encoded bytes of an entry with a key and a value of these lengths.
    static func size(keyCount: Int, valueCount: Int) -> Int {
        LEB128.size(keyCount) + keyCount + LEB128.size(valueCount) + valueCount
    }

    /// Encodes the entry at `to` (room for `size` bytes) and returns the bytes written.
    static func write(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, to: UnsafeMutableRawPointer) -> Int {
        var p = to + LEB128.write(key.count, to: to)
        copyBytes(key, to: p)
        p += key.count
        p += LEB128.write(value.count, to: p)
        copyBytes(value, to: p)
        return p + value.count - to
    }

    /// Calls `visit` for each entry of `payload` and returns how many there are, or nil (after
    /// visiting the well-formed ones) when the payload is not a whole number of entries.
    /// Readers validate with a no-op `visit` first, so that a bad block delivers nothing.
    static func forEach(
        in payload: UnsafeRawBufferPointer,
        _ visit: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void
    ) rethrows -> Int? {
        var cursor = 0
        var count = 0
        while cursor < payload.count {
            guard let key = field(payload, &cursor), let value = field(payload, &cursor) else { return nil }
            try visit(key, value)
            count += 1
        }
        return count
    }

    /// A length-prefixed field at `cursor`, or nil when it runs past the payload.
    private static func field(_ payload: UnsafeRawBufferPointer, _ cursor: inout Int) -> UnsafeRawBufferPointer? {
        guard let count = LEB128.read(payload, at: &cursor), count <= payload.count - cursor else { return nil }
        defer { cursor += count }
        return UnsafeRawBufferPointer(rebasing: payload[cursor..<cursor + count])
    }
}
