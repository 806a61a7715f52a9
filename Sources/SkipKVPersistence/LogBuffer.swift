import SkipKVDiskFormat

/// A growable run of encoded log records: appended to by the loop threads under the log
/// writer's lock, then swapped out whole and written by the log writer thread; also what a
/// snapshot's `ChangeCapture` collects.
///
/// Concurrency contract: none of its own; `LogWriter` and `ChangeCapture` say who may touch
/// which instance.
struct LogBuffer: ~Copyable {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    var isEmpty: Bool { count == 0 }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Where the next `size` bytes go, growing the buffer (doubling) when needed.
    @inline(__always)
    mutating func reserve(_ size: Int) -> UnsafeMutableRawPointer {
        if count + size > capacity { grow(to: count + size) }
        return base + count
    }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Appends a `SET key value` record; returns its size.
    @inline(__always)
    mutating func appendSet(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Int {
        append(size: LogRecordEncoder.setSize(keyCount: key.count, valueCount: value.count)) {
            LogRecordEncoder.writeSet(key: key, value: value, to: $0)
        }
    }

    /// Appends a SET record of a key that expires at `deadline` (Unix ms, > 0); returns its size.
    @inline(__always)
    mutating func appendSetExpiring(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, deadline: Int64) -> Int {
        append(size: LogRecordEncoder.setExpiringSize(keyCount: key.count, valueCount: value.count)) {
            LogRecordEncoder.writeSetExpiring(key: key, value: value, deadline: deadline, to: $0)
        }
    }

    /// Appends a `DEL key` record; returns its size.
    @inline(__always)
    mutating func appendDelete(key: UnsafeRawBufferPointer) -> Int {
        append(size: LogRecordEncoder.deleteSize(keyCount: key.count)) { LogRecordEncoder.writeDelete(key: key, to: $0) }
    }

    /// Appends an EXPIRE record (deadline in Unix ms; 0: the key no longer expires); returns
    /// its size.
    @inline(__always)
    mutating func appendExpire(key: UnsafeRawBufferPointer, deadline: Int64) -> Int {
        append(size: LogRecordEncoder.expireSize(keyCount: key.count)) {
            LogRecordEncoder.writeExpire(key: key, deadline: deadline, to: $0)
        }
    }

    /// Has `write` encode a record of `size` bytes in place; returns the size it wrote.
    @inline(__always)
    private mutating func append(size: Int, _ write: (UnsafeMutableRawPointer) -> Int) -> Int {
        let written = write(reserve(size))
        count += written
        return written
    }

    /// Appends an already encoded record; returns its size.
    mutating func append(record: UnsafeRawBufferPointer) -> Int {
        reserve(record.count).copyMemory(from: record.baseAddress!, byteCount: record.count)
        count += record.count
        return record.count
    }

    /// Empties the buffer, giving back memory a burst made it take.
    mutating func reset(retaining retained: Int) {
        count = 0
        if capacity > retained {
            base.deallocate()
            base = .allocate(byteCount: retained, alignment: 16)
            capacity = retained
        }
    }
}
