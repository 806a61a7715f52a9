import SkipKVKeys

/// One decoded log record, as `LogSegmentReader` hands it out. The pointers point into the
/// mapped segment and are valid only during the callback: copy what must outlive it.
public enum LogEntry {
    case set(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
    case delete(key: UnsafeRawBufferPointer)
    case rangeDelete(KeyRange)
    case flushAll
    /// The records of one multi-key command, to apply together (see `LogRecordKind.batch`).
    case batch(LogBatch)
    /// A SET of a key that expires at `deadline` (Unix milliseconds, > 0).
    case setExpiring(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, deadline: Int64)
    /// The key's deadline is now `deadline` (Unix milliseconds); 0: the key no longer expires.
    case expire(key: UnsafeRawBufferPointer, deadline: Int64)
}
