import SkipKVSystem

/// The changes made while a snapshot scans the keyspace, as log records in the order they
/// took effect. The scan itself sees some keys before and some after concurrent writes;
/// storing these records after the scanned entries lets a load replay them and arrive at the
/// keyspace as it was at the instant the capture stopped, a point-in-time image, without
/// stopping writers and without fork (docs/ARCHITECTURE.md, "Durability").
///
/// Concurrency contract: `record*` may be called from any thread, by writers holding a key
/// stripe (`JournaledKeyspace`), so records of one key arrive in the order of its writes;
/// `mutex` guards `buffer` and `count`. `withRecords` is called by the snapshot thread after
/// the capture was detached with every stripe held, when no writer can still append.
/// Lock order: key stripe → this mutex.
@usableFromInline
final class ChangeCapture: @unchecked Sendable {
    private let mutex = MutexCondition()
    private var buffer = LogBuffer(capacity: 64 * 1024)
    private var count = 0

    @usableFromInline init() {}

    @usableFromInline
    func recordSet(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        append { $0.appendSet(key: key, value: value) }
    }

    /// A SET of a key that expires at `deadline` (Unix milliseconds, > 0).
    @usableFromInline
    func recordSetExpiring(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, deadline: Int64) {
        append { $0.appendSetExpiring(key: key, value: value, deadline: deadline) }
    }

    @usableFromInline
    func recordDelete(key: UnsafeRawBufferPointer) {
        append { $0.appendDelete(key: key) }
    }

    /// The key's deadline became `deadline` (Unix milliseconds); 0: it no longer expires.
    @usableFromInline
    func recordExpire(key: UnsafeRawBufferPointer, deadline: Int64) {
        append { $0.appendExpire(key: key, deadline: deadline) }
    }

    func record(_ record: [UInt8]) {
        record.withUnsafeBytes { bytes in self.append { $0.append(record: bytes) } }
    }

    /// Appends the record `encode` writes to the buffer, under the mutex.
    @inline(__always)
    private func append(_ encode: (inout LogBuffer) -> Int) {
        mutex.withLock {
            _ = encode(&buffer)
            count += 1
        }
    }

    /// Bytes held, for memory accounting.
    var byteCount: Int { mutex.withLock { buffer.count } }

    /// Calls `body` with the records and their number.
    func withRecords<R>(_ body: (UnsafeRawBufferPointer, Int) throws -> R) rethrows -> R {
        try mutex.withLock { try body(buffer.bytes, count) }
    }
}
