/// The inner records of a batch record (`LogRecordKind.batch`), as decoding found them: a
/// view into the mapped segment, valid only while the `LogEntry` that holds it is.
public struct LogBatch {
    /// Complete records, headers included, back to back.
    let records: UnsafeRawBufferPointer

    /// Calls `body` with each inner record, in the order they were written.
    public func forEach(_ body: (LogEntry) throws -> Void) rethrows {
        var offset = 0
        while offset < records.count {
            guard case let .record(entry, end) = LogSegmentReader.nextRecord(records, at: offset) else {
                preconditionFailure("a batch is validated when decoded")
            }
            try body(entry)
            offset = end
        }
    }

    /// Throws unless the body is a sequence of whole, valid records, none of them a batch.
    /// The batch's own checksum was good, so any problem inside is corruption, never a tear.
    func validate() throws(LogRecordProblem) {
        var offset = 0
        while offset < records.count {
            switch LogSegmentReader.nextRecord(records, at: offset) {
            case let .record(entry, end):
                if case .batch = entry { throw LogRecordProblem(reason: "batch inside a batch") }
                offset = end
            case let .damage(damage):
                throw LogRecordProblem(reason: "batch record: inner record at \(damage.offset): \(damage.reason)")
            }
        }
    }
}
