/// Bytes received on one connection and not yet parsed. `ReplyParser` needs them contiguous:
/// the socket fills the free space at the back, the parser consumes from the front, and the
/// unparsed rest slides down when the back runs out of room.
struct NetReceiveBuffer: ~Copyable {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private var readerIndex = 0
    private var writerIndex = 0

    init(capacity: Int) {
        self.capacity = capacity
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    /// The unparsed bytes; valid until the next mutation.
    var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + readerIndex, count: writerIndex - readerIndex)
    }

    var isEmpty: Bool { readerIndex == writerIndex }

    mutating func consume(_ byteCount: Int) {
        readerIndex += byteCount
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }

    /// Free space of at least `minimum` bytes to receive into.
    mutating func writable(minimum: Int) -> UnsafeMutableRawBufferPointer {
        if capacity - writerIndex < minimum {
            let pending = writerIndex - readerIndex
            if pending + minimum > capacity {
                var newCapacity = capacity * 2
                while newCapacity < pending + minimum { newCapacity *= 2 }
                let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
                grown.copyMemory(from: storage + readerIndex, byteCount: pending)
                storage.deallocate()
                storage = grown
                capacity = newCapacity
            } else {
                // Sliding down in place: copyMemory is a memmove, so the ranges may overlap.
                storage.copyMemory(from: storage + readerIndex, byteCount: pending)
            }
            readerIndex = 0
            writerIndex = pending
        }
        return UnsafeMutableRawBufferPointer(start: storage + writerIndex, count: capacity - writerIndex)
    }

    /// Marks `byteCount` bytes received into the space `writable` returned.
    mutating func commit(_ byteCount: Int) {
        writerIndex += byteCount
    }
}
