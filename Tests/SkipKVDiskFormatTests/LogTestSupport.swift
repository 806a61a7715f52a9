import SkipKVDiskFormat
import SkipKVKeys
import XCTest

/// A log record as plain values, to compare what was written with what is read back.
enum ModelRecord: Equatable, CustomStringConvertible {
    case set([UInt8], [UInt8])
    case delete([UInt8])
    case rangeDelete(KeyRange)
    case flushAll
    /// Single-key records only (sets, deletes and their expiring forms), as the server writes
    /// batches.
    case batch([ModelRecord])
    case setExpiring([UInt8], [UInt8], deadline: Int64)
    case expire([UInt8], deadline: Int64)

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
        case let .setExpiring(key, value, deadline): self = .setExpiring(Array(key), Array(value), deadline: deadline)
        case let .expire(key, deadline): self = .expire(Array(key), deadline: deadline)
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
        case let .setExpiring(key, value, deadline):
            let size = LogRecordEncoder.setExpiringSize(keyCount: key.count, valueCount: value.count)
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
                initialized = key.withUnsafeBytes { k in
                    value.withUnsafeBytes { v in
                        LogRecordEncoder.writeSetExpiring(key: k, value: v, deadline: deadline, to: UnsafeMutableRawPointer(buffer.baseAddress!))
                    }
                }
                XCTAssertEqual(initialized, size)
            }
        case let .expire(key, deadline):
            let size = LogRecordEncoder.expireSize(keyCount: key.count)
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
                initialized = key.withUnsafeBytes {
                    LogRecordEncoder.writeExpire(key: $0, deadline: deadline, to: UnsafeMutableRawPointer(buffer.baseAddress!))
                }
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
                case let .setExpiring(key, value, deadline):
                    key.withUnsafeBytes { k in value.withUnsafeBytes { builder.appendSetExpiring(key: k, value: $0, deadline: deadline) } }
                case let .expire(key, deadline):
                    key.withUnsafeBytes { builder.appendExpire(key: $0, deadline: deadline) }
                default:
                    preconditionFailure("batches hold single-key records")
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
        case let .setExpiring(key, value, deadline): return "setExpiring(\(key.count)B, \(value.count)B, \(deadline))"
        case let .expire(key, deadline): return "expire(\(key.count)B, \(deadline))"
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
    .setExpiring(utf8("ttl"), utf8("value"), deadline: 1_700_000_000_123),
    .expire(utf8("ttl"), deadline: 1_800_000_000_000),
    .setExpiring([], [], deadline: 1),
    .expire([], deadline: 0),
    // RENAME of a key with a TTL: the TTL moves with the value.
    .batch([.delete(utf8("src")), .setExpiring(utf8("dst"), utf8("v"), deadline: Int64.max)]),
    .expire(utf8("k"), deadline: Int64.max),
]
