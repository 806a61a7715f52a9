/// Reads a log segment for recovery: every valid record in order, stopping at the first
/// damage, which it classifies as a torn tail (a crash mid-append) or as corruption.
public enum LogSegmentReader {
    /// Maps `path` and calls `body` for each valid record. Throws `DiskError` only when the file
    /// cannot be read, and whatever `body` throws; damaged content is reported in the result.
    public static func read(path: String, _ body: (LogEntry) throws -> Void) throws -> LogSegmentScan {
        try MappedFile.open(path).withBytes { try scan($0, path: path, body) }
    }

    private static func scan(
        _ bytes: UnsafeRawBufferPointer, path: String, _ body: (LogEntry) throws -> Void
    ) throws -> LogSegmentScan {
        func result(_ sequence: UInt64?, _ records: Int, _ validEnd: Int, _ damage: LogDamage?) -> LogSegmentScan {
            LogSegmentScan(path: path, sequence: sequence, records: records, validEnd: validEnd, fileSize: bytes.count, damage: damage)
        }
        guard bytes.count >= LogFormat.headerSize else {
            // The file was created but its header never fully reached the disk.
            let reason = bytes.isEmpty ? "empty file" : "incomplete header"
            return result(nil, 0, 0, LogDamage(offset: 0, reason: reason, isTornTail: true))
        }
        if isZero(bytes, from: 0) {
            // The size reached the disk before the header did: the same crash, seen on file
            // systems that expose unwritten blocks as zeros.
            return result(nil, 0, 0, LogDamage(offset: 0, reason: "zero-filled header", isTornTail: true))
        }
        if let problem = LogFormat.headerProblem(bytes) {
            return result(nil, 0, 0, LogDamage(offset: 0, reason: problem, isTornTail: false))
        }
        let sequence = LittleEndian.load64(bytes.baseAddress! + 16)
        var offset = LogFormat.headerSize
        var records = 0
        while offset < bytes.count {
            switch nextRecord(bytes, at: offset) {
            case let .record(entry, end):
                try body(entry)
                records += 1
                offset = end
            case let .damage(damage):
                return result(sequence, records, offset, damage)
            }
        }
        return result(sequence, records, offset, nil)
    }

    enum Step {
        case record(LogEntry, end: Int)
        case damage(LogDamage)
    }

    /// Decodes the record at `offset` or classifies why it cannot be. Snapshots' change
    /// blocks hold records too, and decode them with this.
    static func nextRecord(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Step {
        func damage(_ reason: String, torn: Bool) -> Step {
            .damage(LogDamage(offset: offset, reason: reason, isTornTail: torn))
        }
        let size = bytes.count
        guard size - offset >= LogFormat.recordHeaderSize else { return damage("incomplete record header", torn: true) }
        let header = bytes.baseAddress! + offset
        // A valid length check is never zero with a zero length, so only a zero header can
        // start a zero tail; the full scan is reserved for that case.
        if LittleEndian.load64(header) == 0 && isZero(bytes, from: offset) {
            return damage("zero-filled tail", torn: true)
        }
        let length = LittleEndian.load32(header)
        guard CRC32C.checksum(UnsafeRawBufferPointer(start: header, count: 4)) == LittleEndian.load32(header + 4) else {
            return damage("bad length check", torn: false)
        }
        let bodyCount = Int(length)
        guard bodyCount <= LogFormat.maxRecordBytes else {
            return damage("record length \(bodyCount) over the limit", torn: false)
        }
        let end = offset + LogFormat.recordHeaderSize + bodyCount
        guard end <= size else { return damage("incomplete record", torn: true) }
        let body = UnsafeRawBufferPointer(start: header + LogFormat.recordHeaderSize, count: bodyCount)
        guard CRC32C.checksum(body) == LittleEndian.load32(header + 8) else {
            // Only the last record can have been cut mid-write; a bad record followed by more
            // data was damaged after it was written.
            return damage("checksum mismatch", torn: end == size)
        }
        do {
            return .record(try LogRecordDecoder.decode(body), end: end)
        } catch {
            return damage(error.reason, torn: false)
        }
    }

    private static func isZero(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> Bool {
        bytes[offset...].allSatisfy { $0 == 0 }
    }
}
