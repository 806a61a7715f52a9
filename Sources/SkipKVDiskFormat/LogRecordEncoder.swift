import SkipKVKeys

/// Encodes log records. SET and DEL, and their expiring forms (SET with a TTL, EXPIRE and
/// PERSIST), run once per write command on the write path, so they write straight into the
/// caller's buffer (size them with the matching `...Size`), allocate nothing and checksum the
/// bytes where they land. Range deletes and FLUSHALL are rare and return arrays.
/// Every encoder traps on a body over `LogFormat.maxRecordBytes`, and on a deadline the
/// reader refuses: a record no reader would accept must never reach the log, and the server's
/// bulk limit and deadline checks keep callers far from both.
public enum LogRecordEncoder {
    /// Bytes `writeSet` writes for a key and a value of these lengths.
    @inlinable
    public static func setSize(keyCount: Int, valueCount: Int) -> Int {
        LogFormat.recordHeaderSize + 5 + keyCount + valueCount
    }

    /// Writes a complete SET record at `record` (room for `setSize` bytes) and returns its size.
    @inlinable
    public static func writeSet(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, to record: UnsafeMutableRawPointer) -> Int {
        writeKeyValue(.set, key: key, deadline: nil, value: value, to: record)
    }

    /// Bytes `writeSetExpiring` writes for a key and a value of these lengths.
    @inlinable
    public static func setExpiringSize(keyCount: Int, valueCount: Int) -> Int {
        setSize(keyCount: keyCount, valueCount: valueCount) + 8
    }

    /// Writes a complete SET record for a key that expires at `deadline` (Unix milliseconds,
    /// > 0) at `record` (room for `setExpiringSize` bytes) and returns its size.
    @inlinable
    public static func writeSetExpiring(
        key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, deadline: Int64, to record: UnsafeMutableRawPointer
    ) -> Int {
        precondition(deadline > 0, "an expiring SET needs a deadline > 0")
        return writeKeyValue(.setExpiring, key: key, deadline: deadline, value: value, to: record)
    }

    /// Bytes `writeDelete` writes for a key of this length.
    @inlinable
    public static func deleteSize(keyCount: Int) -> Int {
        LogFormat.recordHeaderSize + 1 + keyCount
    }

    /// Writes a complete DEL record at `record` (room for `deleteSize` bytes) and returns its size.
    @inlinable
    public static func writeDelete(key: UnsafeRawBufferPointer, to record: UnsafeMutableRawPointer) -> Int {
        writeKeyOnly(.delete, deadline: nil, key: key, to: record)
    }

    /// Bytes `writeExpire` writes for a key of this length.
    @inlinable
    public static func expireSize(keyCount: Int) -> Int {
        deleteSize(keyCount: keyCount) + 8
    }

    /// Writes a complete EXPIRE record at `record` (room for `expireSize` bytes): the key's
    /// deadline becomes `deadline` (Unix milliseconds), or with 0 the key no longer expires.
    /// Returns its size.
    @inlinable
    public static func writeExpire(key: UnsafeRawBufferPointer, deadline: Int64, to record: UnsafeMutableRawPointer) -> Int {
        precondition(deadline >= 0, "an EXPIRE record's deadline is >= 0")
        return writeKeyOnly(.expire, deadline: deadline, key: key, to: record)
    }

    /// The body of SET and its expiring form: kind, key length u32, key, the deadline when
    /// there is one, value. Inlined with a constant `deadline`, the optional folds away.
    @inlinable
    static func writeKeyValue(
        _ kind: LogRecordKind, key: UnsafeRawBufferPointer, deadline: Int64?, value: UnsafeRawBufferPointer,
        to record: UnsafeMutableRawPointer
    ) -> Int {
        let body = record + LogFormat.recordHeaderSize
        body.storeBytes(of: kind.rawValue, as: UInt8.self)
        LittleEndian.store32(UInt32(key.count), body + 1)
        copyBytes(key, to: body + 5)
        let end = storeDeadline(deadline, at: body + 5 + key.count)
        copyBytes(value, to: end)
        return seal(record, bodyCount: end + value.count - body)
    }

    /// The body of DEL and EXPIRE: kind, the deadline when there is one, key.
    @inlinable
    static func writeKeyOnly(
        _ kind: LogRecordKind, deadline: Int64?, key: UnsafeRawBufferPointer, to record: UnsafeMutableRawPointer
    ) -> Int {
        let body = record + LogFormat.recordHeaderSize
        body.storeBytes(of: kind.rawValue, as: UInt8.self)
        let end = storeDeadline(deadline, at: body + 1)
        copyBytes(key, to: end)
        return seal(record, bodyCount: end + key.count - body)
    }

    /// Stores `deadline`, when there is one, as an i64 at `at`; returns where the next field goes.
    @inlinable
    static func storeDeadline(_ deadline: Int64?, at: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        guard let deadline else { return at }
        LittleEndian.store64(UInt64(bitPattern: deadline), at)
        return at + 8
    }

    /// A complete record removing every key in `range`.
    public static func rangeDeleteRecord(_ range: KeyRange) -> [UInt8] {
        let bodyCount = 1 + boundSize(range.lower) + boundSize(range.upper)
        return [UInt8](unsafeUninitializedCapacity: LogFormat.recordHeaderSize + bodyCount) { buffer, initialized in
            let record = UnsafeMutableRawPointer(buffer.baseAddress!)
            let body = record + LogFormat.recordHeaderSize
            body.storeBytes(of: LogRecordKind.rangeDelete.rawValue, as: UInt8.self)
            let upper = writeBound(range.lower, to: body + 1)
            _ = writeBound(range.upper, to: upper)
            initialized = seal(record, bodyCount: bodyCount)
        }
    }

    /// A complete record removing every key.
    public static func flushAllRecord() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: LogFormat.recordHeaderSize + 1) { buffer, initialized in
            let record = UnsafeMutableRawPointer(buffer.baseAddress!)
            (record + LogFormat.recordHeaderSize).storeBytes(of: LogRecordKind.flushAll.rawValue, as: UInt8.self)
            initialized = seal(record, bodyCount: 1)
        }
    }

    /// Fills in the record header for the `bodyCount` body bytes already at `record + 12`.
    @inlinable
    static func seal(_ record: UnsafeMutableRawPointer, bodyCount: Int) -> Int {
        precondition(bodyCount <= LogFormat.maxRecordBytes, "log record over LogFormat.maxRecordBytes")
        LittleEndian.store32(UInt32(bodyCount), record)
        LittleEndian.store32(CRC32C.checksum(UnsafeRawBufferPointer(start: record, count: 4)), record + 4)
        let body = UnsafeRawBufferPointer(start: record + LogFormat.recordHeaderSize, count: bodyCount)
        LittleEndian.store32(CRC32C.checksum(body), record + 8)
        return LogFormat.recordHeaderSize + bodyCount
    }

    private static func boundSize(_ bound: RangeBound) -> Int {
        switch bound {
        case .unbounded: return 5
        case .inclusive(let key), .exclusive(let key): return 5 + key.count
        }
    }

    /// Writes `bound` at `to` and returns the address just past it.
    private static func writeBound(_ bound: RangeBound, to: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        let kind: LogBoundKind
        let key: [UInt8]
        switch bound {
        case .unbounded: (kind, key) = (.unbounded, [])
        case .inclusive(let bytes): (kind, key) = (.inclusive, bytes)
        case .exclusive(let bytes): (kind, key) = (.exclusive, bytes)
        }
        to.storeBytes(of: kind.rawValue, as: UInt8.self)
        LittleEndian.store32(UInt32(key.count), to + 1)
        key.withUnsafeBytes { copyBytes($0, to: to + 5) }
        return to + 5 + key.count
    }
}
