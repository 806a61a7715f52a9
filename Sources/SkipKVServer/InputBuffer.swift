import SkipKVProtocol

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

    private var bytes = ByteQueue(initialCapacity: normalCapacity)
    /// How many more bytes the parser needs before it can make progress (its last
    /// `bytesNeeded`), used to size the next read.
    var bytesNeeded = 1

    /// Bytes the buffer holds allocated, for client memory accounting.
    var memory: Int { bytes.storageCapacity }

    /// The received, unconsumed bytes. Valid until the next `prepareRead` or `consume`.
    var readable: UnsafeRawBufferPointer { bytes.readableBytes }

    mutating func consume(_ count: Int) {
        bytes.consume(count)
        if bytes.isEmpty && bytes.storageCapacity > Self.normalCapacity * 4 {
            bytes.removeAll(maximumRetainedCapacity: Self.normalCapacity)
        }
    }

    /// Makes room for the next read and returns where it may write and how much.
    mutating func prepareRead() -> (UnsafeMutableRawPointer, Int) {
        // Aim for what the parser needs, but never more than double what has arrived.
        let wanted = max(Self.minimumRead, min(bytesNeeded, max(bytes.count, Self.minimumRead)))
        let space = bytes.reserve(minimum: wanted)
        return (space.baseAddress!, space.count)
    }

    /// Records that a read put `count` bytes at the pointer `prepareRead` returned.
    mutating func commit(_ count: Int) {
        bytes.commit(count)
    }
}
