import SkipKVDiskFormat
import SkipKVKeys
import XCTest

/// A log record as plain values, to compare what was written with what is read back.
enum ModelRecord: Equatable, CustomStringConvertible {
    case set([UInt8], [UInt8])
    case delete([UInt8])
    case rangeDelete(KeyRange)
    case flushAll
    /// Sets and deletes only, as the server writes batches.
    case batch([ModelRecord])

    init(_ entry: LogEntry) {
        switch entry {
        case let .set(key, value): self = .set(Array(key), Array(value))
        case let .delete(key): self = .delete(Array(key))
        case let .rangeDelete(range): self = .rangeDelete(range)
        case .flushAll: self = .flushAll
        case let .batch(batch):
            var inner: [ModelRecord] = []
            batch.forEach { inner.append(ModelRecord($0)) }
            self = .batch(inner)
        }
    }

    /// The record's bytes, through the encoder under test.
    var encoded: [UInt8] {
        switch self {
        case let .set(key, value):
            let size = LogRecordEncoder.setSize(keyCount: key.count, valueCount: value.count)
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
                initialized = key.withUnsafeBytes { k in
                    value.withUnsafeBytes { v in LogRecordEncoder.writeSet(key: k, value: v, to: UnsafeMutableRawPointer(buffer.baseAddress!)) }
                }
                XCTAssertEqual(initialized, size)
            }
        case let .delete(key):
            let size = LogRecordEncoder.deleteSize(keyCount: key.count)
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
                initialized = key.withUnsafeBytes { LogRecordEncoder.writeDelete(key: $0, to: UnsafeMutableRawPointer(buffer.baseAddress!)) }
                XCTAssertEqual(initialized, size)
            }
        case let .rangeDelete(range):
            return LogRecordEncoder.rangeDeleteRecord(range)
        case .flushAll:
            return LogRecordEncoder.flushAllRecord()
        case let .batch(inner):
            var builder = LogBatchBuilder()
            for record in inner {
                switch record {
                case let .set(key, value):
                    key.withUnsafeBytes { k in value.withUnsafeBytes { builder.appendSet(key: k, value: $0) } }
                case let .delete(key):
                    key.withUnsafeBytes { builder.appendDelete(key: $0) }
                default:
                    preconditionFailure("batches hold sets and deletes")
                }
            }
            XCTAssertEqual(builder.count, inner.count)
            return builder.record()
        }
    }

    var description: String {
        switch self {
        case let .set(key, value): return "set(\(key.count)B, \(value.count)B)"
        case let .delete(key): return "delete(\(key.count)B)"
        case let .rangeDelete(range): return "rangeDelete(\(range))"
        case .flushAll: return "flushAll"
        case let .batch(inner): return "batch(\(inner))"
        }
    }
}

/// A segment's bytes and where each record ends.
struct SegmentImage {
    var bytes: [UInt8]
    var recordEnds: [Int]

    init(sequence: UInt64, records: [ModelRecord]) {
        bytes = LogFormat.segmentHeader(sequence: sequence)
        recordEnds = []
        for record in records {
            bytes += record.encoded
            recordEnds.append(bytes.count)
        }
    }

    /// Where each record starts.
    var recordStarts: [Int] { [LogFormat.headerSize] + recordEnds.dropLast() }
}

/// Reads the segment at `path`, collecting the delivered records.
func readSegment(_ path: String) throws -> (scan: LogSegmentScan, records: [ModelRecord]) {
    var records: [ModelRecord] = []
    let scan = try LogSegmentReader.read(path: path) { records.append(ModelRecord($0)) }
    XCTAssertEqual(scan.records, records.count)
    return (scan, records)
}

/// Writes `bytes` to `path` and reads them back as a segment.
func readSegment(_ bytes: [UInt8], at path: String) throws -> (scan: LogSegmentScan, records: [ModelRecord]) {
    try writeFile(path, bytes)
    return try readSegment(path)
}

/// The records of the small segment the damage tests cut and flip: every kind, empty keys and
/// values, so every field and branch of the format is in it.
let smallSegmentRecords: [ModelRecord] = [
    .set(utf8("key"), utf8("value")),
    .delete(utf8("gone")),
    .rangeDelete(KeyRange(lower: .inclusive(utf8("a")), upper: .exclusive(utf8("m")))),
    .set([], []),
    .flushAll,
    .rangeDelete(KeyRange(lower: .unbounded, upper: .inclusive([0, 255]))),
    .set(utf8("k"), [0, 0, 0]),
    .batch([.set(utf8("dst"), utf8("v")), .delete(utf8("src"))]),
]
