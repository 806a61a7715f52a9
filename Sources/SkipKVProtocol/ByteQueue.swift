/// A growable, contiguous byte queue: bytes are added at the back and taken from the front.
/// It carries a connection's outgoing replies (appended, then `readableBytes` and `consume(_:)`
/// for however many bytes a write accepted) and, in the server's `InputBuffer` and the
/// clients, bytes read from a socket (`reserve(minimum:)`, a read into that space, `commit(_:)`,
/// then parsed in place from `readableBytes`).
///
/// Storage is one manually managed block that doubles when full; consumed space at the
/// front is reclaimed by sliding the pending bytes down before growing. Noncopyable because it
/// owns that block.
public struct ByteQueue: ~Copyable {
    @usableFromInline var storage: UnsafeMutableRawPointer
    @usableFromInline var capacity: Int
    /// Offset of the first unsent byte.
    @usableFromInline var readerIndex: Int
    /// Offset one past the last appended byte.
    @usableFromInline var writerIndex: Int

    /// The default matches Redis's 16 KiB per-client reply buffer.
    public init(initialCapacity: Int = 16 * 1024) {
        capacity = max(initialCapacity, 16)
        storage = .allocate(byteCount: capacity, alignment: 16)
        readerIndex = 0
        writerIndex = 0
    }

    deinit {
        storage.deallocate()
    }

    /// The bytes appended and not yet consumed. Valid until the next mutation.
    @inlinable
    public var readableBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + readerIndex, count: writerIndex - readerIndex)
    }

    /// Number of bytes appended and not yet consumed.
    @inlinable
    public var count: Int { writerIndex - readerIndex }

    @inlinable
    public var isEmpty: Bool { writerIndex == readerIndex }

    /// Drops the first `byteCount` readable bytes, typically after a partial socket write.
    @inlinable
    public mutating func consume(_ byteCount: Int) {
        precondition(byteCount >= 0 && byteCount <= count, "consuming more than is buffered")
        readerIndex += byteCount
        if readerIndex == writerIndex {
            // Empty: start over at the front so appends never need to slide data.
            readerIndex = 0
            writerIndex = 0
        }
    }

    /// Drops what was appended after the first `byteCount` readable bytes: a reply being
    /// redone (a read that met a transaction runs again).
    public mutating func truncate(toCount byteCount: Int) {
        precondition(byteCount >= 0 && byteCount <= count, "truncating to more than is buffered")
        writerIndex = readerIndex + byteCount
    }

    /// Drops all buffered bytes. If the buffer grew beyond `maximumRetainedCapacity` (say,
    /// for one huge reply) its storage is replaced by a block of that size, so one large
    /// reply does not pin memory for the life of the connection.
    public mutating func removeAll(maximumRetainedCapacity: Int = .max) {
        readerIndex = 0
        writerIndex = 0
        if capacity > maximumRetainedCapacity {
            storage.deallocate()
            capacity = max(maximumRetainedCapacity, 16)
            storage = .allocate(byteCount: capacity, alignment: 16)
        }
    }

    @inlinable
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserveWritable(bytes.count).copyMemory(from: source, byteCount: bytes.count)
        writerIndex += bytes.count
    }

    @inlinable
    public mutating func append(_ byte: UInt8) {
        reserveWritable(1).storeBytes(of: byte, as: UInt8.self)
        writerIndex += 1
    }

    /// Appends a two-byte sequence (typically CRLF) with one capacity check.
    @inlinable
    mutating func append(_ first: UInt8, _ second: UInt8) {
        let target = reserveWritable(2)
        target.storeBytes(of: first, as: UInt8.self)
        target.storeBytes(of: second, toByteOffset: 1, as: UInt8.self)
        writerIndex += 2
    }

    /// Free space of at least `minimum` bytes after the pending ones, for a read to fill;
    /// `commit` then adds what it wrote. Valid until the next mutation.
    public mutating func reserve(minimum: Int) -> UnsafeMutableRawBufferPointer {
        let start = reserveWritable(minimum)
        return UnsafeMutableRawBufferPointer(start: start, count: capacity - writerIndex)
    }

    /// Adds the `byteCount` bytes a read wrote into the space `reserve(minimum:)` returned.
    public mutating func commit(_ byteCount: Int) {
        precondition(byteCount >= 0 && byteCount <= capacity - writerIndex, "committing more than was reserved")
        writerIndex += byteCount
    }

    /// The number of bytes the queue can hold without growing.
    public var storageCapacity: Int { capacity }

    /// Makes room for `byteCount` more bytes and returns where they go. The caller writes
    /// them and then advances `writerIndex`.
    @inlinable
    mutating func reserveWritable(_ byteCount: Int) -> UnsafeMutableRawPointer {
        if capacity - writerIndex < byteCount { makeRoom(for: byteCount) }
        return storage + writerIndex
    }

    /// Slow path of `reserveWritable`, kept out of line so the inlined fast path stays small.
    @usableFromInline
    @inline(never)
    mutating func makeRoom(for byteCount: Int) {
        let pending = count
        if pending + byteCount <= capacity && readerIndex >= capacity / 2 {
            // At least half consumed: sliding the unsent bytes down is cheaper than growing,
            // and frees enough to amortise the copy. They fit below `readerIndex`, so the
            // ranges do not overlap.
            storage.copyMemory(from: storage + readerIndex, byteCount: pending)
        } else {
            var newCapacity = capacity * 2
            while newCapacity < pending + byteCount { newCapacity *= 2 }
            let newStorage = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            newStorage.copyMemory(from: storage + readerIndex, byteCount: pending)
            storage.deallocate()
            storage = newStorage
            capacity = newCapacity
        }
        readerIndex = 0
        writerIndex = pending
    }
}
