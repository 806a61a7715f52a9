/// Bytes read from a descriptor and not yet parsed (replies from a socket, commands from
/// stdin): the reader fills the free space at the back (`reserveWritable`, then `commit`),
/// the parser consumes from the front. Parsers need their input contiguous, so consumed
/// space is reclaimed by sliding the rest down.
public struct ReceiveBuffer: ~Copyable {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private var readerIndex = 0
    private var writerIndex = 0

    public init(initialCapacity: Int = 64 * 1024) {
        capacity = initialCapacity
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    /// The unconsumed bytes; valid until the next mutation.
    public var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + readerIndex, count: writerIndex - readerIndex)
    }

    public var isEmpty: Bool { readerIndex == writerIndex }

    public mutating func consume(_ byteCount: Int) {
        precondition(byteCount >= 0 && byteCount <= writerIndex - readerIndex, "consuming more than is buffered")
        readerIndex += byteCount
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }

    /// Free space of at least `minimum` bytes after the unconsumed ones, to read into.
    public mutating func reserveWritable(_ minimum: Int) -> UnsafeMutableRawBufferPointer {
        if capacity - writerIndex < minimum {
            let pending = writerIndex - readerIndex
            if pending + minimum <= capacity {
                // Enough room once the consumed front is reclaimed.
                storage.copyMemory(from: storage + readerIndex, byteCount: pending)
            } else {
                var newCapacity = capacity * 2
                while newCapacity < pending + minimum { newCapacity *= 2 }
                let newStorage = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
                newStorage.copyMemory(from: storage + readerIndex, byteCount: pending)
                storage.deallocate()
                storage = newStorage
                capacity = newCapacity
            }
            readerIndex = 0
            writerIndex = pending
        }
        return UnsafeMutableRawBufferPointer(start: storage + writerIndex, count: capacity - writerIndex)
    }

    /// Marks `byteCount` bytes written into the space `reserveWritable` returned.
    public mutating func commit(_ byteCount: Int) {
        writerIndex += byteCount
    }
}
