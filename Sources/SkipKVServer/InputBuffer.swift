/// A connection's receive buffer: libuv reads straight into its free tail, the parser reads
/// the unconsumed bytes in place, and consumed bytes are dropped from the front.
///
/// Growth follows the request, not the client's announcements: when the parser says a bulk
/// needs N more bytes, the buffer grows towards N at most by doubling what has actually
/// arrived, so a header announcing 512 MiB costs nothing until the bytes come. After a large
/// request is consumed the buffer shrinks back to its normal size.
///
/// Concurrency contract: owned by one connection, used only on its loop thread.
struct InputBuffer: ~Copyable {
    static let normalCapacity = 16 * 1024
    /// Free space offered to each read at least, so small requests never wait on growth.
    static let minimumRead = 16 * 1024

    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    /// First unconsumed byte.
    private var start = 0
    /// One past the last received byte.
    private var end = 0
    /// How many more bytes the parser needs before it can make progress (its last
    /// `bytesNeeded`), used to size the next read.
    var bytesNeeded = 1

    init() {
        capacity = Self.normalCapacity
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    /// The received, unconsumed bytes. Valid until the next `prepareRead` or `consume`.
    var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + start, count: end - start)
    }

    mutating func consume(_ count: Int) {
        start += count
        if start == end {
            start = 0
            end = 0
            if capacity > Self.normalCapacity * 4 { resize(to: Self.normalCapacity) }
        }
    }

    /// Makes room for the next read and returns where it may write and how much.
    mutating func prepareRead() -> (UnsafeMutableRawPointer, Int) {
        let pending = end - start
        // Aim for what the parser needs, but never more than double what has arrived.
        let wanted = max(Self.minimumRead, min(bytesNeeded, max(pending, Self.minimumRead)))
        if capacity - end < wanted {
            if start > 0 {
                // Slide the pending bytes to the front first; often that frees enough.
                storage.copyMemory(from: storage + start, byteCount: pending)
                start = 0
                end = pending
            }
            if capacity - end < wanted {
                var newCapacity = capacity
                while newCapacity - end < wanted { newCapacity *= 2 }
                resize(to: newCapacity)
            }
        }
        return (storage + end, capacity - end)
    }

    /// Records that a read put `count` bytes at the pointer `prepareRead` returned.
    mutating func commit(_ count: Int) {
        end += count
    }

    private mutating func resize(to newCapacity: Int) {
        let pending = end - start
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        grown.copyMemory(from: storage + start, byteCount: pending)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
        start = 0
        end = pending
    }
}
