import SkipKVKeys

/// Why a record body whose checksum is good still does not decode: it was written by a
/// different (or broken) encoder, which is corruption, never a torn write.
struct LogRecordProblem: Error {
    let reason: String
}

/// Decodes record bodies (the bytes after the 12-byte record header) into `LogEntry`s.
enum LogRecordDecoder {
    static func decode(_ body: UnsafeRawBufferPointer) throws(LogRecordProblem) -> LogEntry {
        guard let kindByte = body.first else { throw LogRecordProblem(reason: "empty record") }
        switch LogRecordKind(rawValue: kindByte) {
        case .set:
            let keyCount = try prefixedKeyCount(body, followedBy: 0, record: "set")
            return .set(key: slice(body, 5, keyCount), value: slice(body, 5 + keyCount, body.count - 5 - keyCount))
        case .setExpiring:
            let keyCount = try prefixedKeyCount(body, followedBy: 8, record: "set-expiring")
            let deadline = loadDeadline(body, 5 + keyCount)
            guard deadline > 0 else { throw LogRecordProblem(reason: "nonpositive deadline \(deadline)") }
            return .setExpiring(
                key: slice(body, 5, keyCount), value: slice(body, 13 + keyCount, body.count - 13 - keyCount), deadline: deadline)
        case .delete:
            return .delete(key: slice(body, 1, body.count - 1))
        case .expire:
            guard body.count >= 9 else { throw LogRecordProblem(reason: "incomplete expire record") }
            let deadline = loadDeadline(body, 1)
            guard deadline >= 0 else { throw LogRecordProblem(reason: "negative deadline \(deadline)") }
            return .expire(key: slice(body, 9, body.count - 9), deadline: deadline)
        case .rangeDelete:
            var cursor = 1
            let lower = try bound(body, &cursor)
            let upper = try bound(body, &cursor)
            guard cursor == body.count else { throw LogRecordProblem(reason: "bytes after the range") }
            return .rangeDelete(KeyRange(lower: lower, upper: upper))
        case .flushAll:
            guard body.count == 1 else { throw LogRecordProblem(reason: "bytes after flush-all") }
            return .flushAll
        case .batch:
            let batch = LogBatch(records: slice(body, 1, body.count - 1))
            try batch.validate()
            return .batch(batch)
        case nil:
            throw LogRecordProblem(reason: "unknown record kind \(kindByte)")
        }
    }

    /// The length of the key of a record whose body starts with kind, key length u32 and key,
    /// after which at least `fixed` more bytes must follow.
    private static func prefixedKeyCount(
        _ body: UnsafeRawBufferPointer, followedBy fixed: Int, record: String
    ) throws(LogRecordProblem) -> Int {
        guard body.count >= 5 + fixed else { throw LogRecordProblem(reason: "incomplete \(record) record") }
        let keyCount = Int(LittleEndian.load32(body.baseAddress! + 1))
        guard keyCount <= body.count - 5 - fixed else { throw LogRecordProblem(reason: "key length past the end") }
        return keyCount
    }

    private static func loadDeadline(_ body: UnsafeRawBufferPointer, _ offset: Int) -> Int64 {
        Int64(bitPattern: LittleEndian.load64(body.baseAddress! + offset))
    }

    private static func bound(_ body: UnsafeRawBufferPointer, _ cursor: inout Int) throws(LogRecordProblem) -> RangeBound {
        guard body.count - cursor >= 5 else { throw LogRecordProblem(reason: "incomplete range bound") }
        let kindByte = body[cursor]
        let count = Int(LittleEndian.load32(body.baseAddress! + cursor + 1))
        guard count <= body.count - cursor - 5 else { throw LogRecordProblem(reason: "bound length past the end") }
        let key = Array(slice(body, cursor + 5, count))
        cursor += 5 + count
        switch LogBoundKind(rawValue: kindByte) {
        case .unbounded:
            guard count == 0 else { throw LogRecordProblem(reason: "unbounded bound with a key") }
            return .unbounded
        case .inclusive: return .inclusive(key)
        case .exclusive: return .exclusive(key)
        case nil: throw LogRecordProblem(reason: "bad bound kind \(kindByte)")
        }
    }

    private static func slice(_ body: UnsafeRawBufferPointer, _ start: Int, _ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: body[start..<start + count])
    }
}
