/// The first body byte of a log record. Bodies after it:
/// - set: key length u32, key, value (the rest);
/// - delete: key (the rest);
/// - rangeDelete: lower bound, upper bound, each a `LogBoundKind` byte, a length u32 and the
///   bytes (length 0 for unbounded);
/// - flushAll: nothing;
/// - batch: complete records (each with its 12-byte header), none of them a batch. The
///   changes of one multi-key command (RENAME, COPY): one checksum covers them all, so a
///   crash mid-append tears the batch as a whole and recovery applies all of it or none.
/// - setExpiring (format version 2): key length u32, key, deadline i64 (> 0), value (the
///   rest): a SET whose key expires at the deadline;
/// - expire (format version 2): deadline i64, key (the rest): the key's deadline changes
///   to this one, or, for 0, the key no longer expires (PERSIST).
/// Deadlines are absolute, in Unix milliseconds, so a record means the same whenever it is
/// replayed. Records carry the resulting state (a SET's final value, never an INCR), so
/// replaying a record twice leaves the same keyspace.
public enum LogRecordKind: UInt8, Sendable {
    case set = 1
    case delete = 2
    case rangeDelete = 3
    case flushAll = 4
    case batch = 5
    case setExpiring = 6
    case expire = 7
}
