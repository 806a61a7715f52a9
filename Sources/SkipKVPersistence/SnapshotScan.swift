import SkipKVDiskFormat
import SkipKVKeys
import SkipKVStore

/// Scans the live keyspace into a snapshot in bounded batches: each batch is copied out of
/// the index under one short scan (one epoch pin, leaf locks held only while copying), then
/// written to disk with no index lock or pin held. So a slow disk never stalls writers on a
/// leaf, and memory the index retires during a long snapshot is reclaimed during it.
/// The next batch starts just after the last key copied; keys inserted behind the cursor in
/// the meantime are missed by the scan and supplied by the change capture, which the caller
/// runs around the whole scan.
///
/// Concurrency contract: one snapshot thread; the keyspace is safe to scan concurrently with
/// writers.
struct SnapshotScan: ~Copyable {
    /// A batch ends after this many bytes of keys and values (at least one entry).
    static let batchBytes = 256 * 1024
    /// …or this many keys.
    static let batchKeys = 4096

    /// A copied entry: key length u32, value length u32, deadline i64, key, value.
    private static let entryHeader = 16

    private var buffer = LogBuffer(capacity: batchBytes + 4096)

    /// Appends every key and value of `keyspace` to `writer`, in key order.
    mutating func run(_ keyspace: Keyspace, into writer: SnapshotWriter) throws {
        var range = KeyRange.all
        while true {
            buffer.count = 0
            var lastKey: [UInt8]? = nil
            var copied = 0
            keyspace.forEachEntry(in: range, limit: Self.batchKeys) { key, value, deadline in
                let entry = buffer.reserve(Self.entryHeader + key.count + value.count)
                entry.storeBytes(of: UInt32(key.count), as: UInt32.self)
                entry.storeBytes(of: UInt32(value.count), toByteOffset: 4, as: UInt32.self)
                entry.storeBytes(of: deadline, toByteOffset: 8, as: Int64.self)
                let bytes = entry + Self.entryHeader
                if key.count > 0 { bytes.copyMemory(from: key.baseAddress!, byteCount: key.count) }
                if value.count > 0 { (bytes + key.count).copyMemory(from: value.baseAddress!, byteCount: value.count) }
                buffer.count += Self.entryHeader + key.count + value.count
                copied += 1
                guard buffer.count < Self.batchBytes else {
                    lastKey = Array(key)
                    return false
                }
                if copied == Self.batchKeys { lastKey = Array(key) }
                return true
            }
            try writeBatch(to: writer)
            guard let lastKey else { return }
            range = KeyRange(lower: .exclusive(lastKey), upper: .unbounded)
        }
    }

    private func writeBatch(to writer: SnapshotWriter) throws {
        var offset = 0
        let base = buffer.bytes.baseAddress
        while offset < buffer.count, let base {
            let keyCount = Int(base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            let valueCount = Int(base.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
            let deadline = base.loadUnaligned(fromByteOffset: offset + 8, as: Int64.self)
            let key = UnsafeRawBufferPointer(start: base + offset + Self.entryHeader, count: keyCount)
            let value = UnsafeRawBufferPointer(start: base + offset + Self.entryHeader + keyCount, count: valueCount)
            try writer.append(key: key, value: value, deadline: deadline)
            offset += Self.entryHeader + keyCount + valueCount
        }
    }
}
