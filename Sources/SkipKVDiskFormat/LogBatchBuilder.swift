/// Builds one batch record (`LogRecordKind.batch`) from the records of a transaction or of a
/// command that changes several keys (SET, DEL and their expiring forms, RANGEDEL, FLUSHALL),
/// which must be replayed whole or not at all. The buffer starts
/// with room for the batch's own header and kind byte, so `record()` seals it in place.
public struct LogBatchBuilder {
    private var bytes: [UInt8]
    /// Inner records added.
    public private(set) var count = 0

    public init() {
        bytes = [UInt8](repeating: 0, count: LogFormat.recordHeaderSize + 1)
        bytes[LogFormat.recordHeaderSize] = LogRecordKind.batch.rawValue
    }

    public mutating func appendSet(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        append(size: LogRecordEncoder.setSize(keyCount: key.count, valueCount: value.count)) {
            LogRecordEncoder.writeSet(key: key, value: value, to: $0)
        }
    }

    /// A SET of a key that expires at `deadline` (Unix milliseconds, > 0).
    public mutating func appendSetExpiring(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, deadline: Int64) {
        append(size: LogRecordEncoder.setExpiringSize(keyCount: key.count, valueCount: value.count)) {
            LogRecordEncoder.writeSetExpiring(key: key, value: value, deadline: deadline, to: $0)
        }
    }

    public mutating func appendDelete(key: UnsafeRawBufferPointer) {
        append(size: LogRecordEncoder.deleteSize(keyCount: key.count)) { LogRecordEncoder.writeDelete(key: key, to: $0) }
    }

    /// The key's deadline becomes `deadline` (Unix milliseconds); 0: it no longer expires.
    public mutating func appendExpire(key: UnsafeRawBufferPointer, deadline: Int64) {
        append(size: LogRecordEncoder.expireSize(keyCount: key.count)) {
            LogRecordEncoder.writeExpire(key: key, deadline: deadline, to: $0)
        }
    }

    /// A complete record (RANGEDEL's or FLUSHALL's, `LogRecordEncoder`), not a batch: a
    /// transaction that empties a range logs it inside its batch.
    public mutating func appendRecord(_ record: [UInt8]) {
        precondition(record.count > LogFormat.recordHeaderSize && record[LogFormat.recordHeaderSize] != LogRecordKind.batch.rawValue)
        bytes += record
        count += 1
    }

    private mutating func append(size: Int, _ write: (UnsafeMutableRawPointer) -> Int) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: size))
        bytes.withUnsafeMutableBytes { _ = write($0.baseAddress! + start) }
        count += 1
    }

    /// The complete batch record.
    public consuming func record() -> [UInt8] {
        bytes.withUnsafeMutableBytes { _ = LogRecordEncoder.seal($0.baseAddress!, bodyCount: $0.count - LogFormat.recordHeaderSize) }
        return bytes
    }
}
