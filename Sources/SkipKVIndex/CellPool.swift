import Atomics

/// 16-byte cells for the value blocks of keys with a deadline and a value of at most 8 bytes
/// (the deadline and the value: INCR counters with EXPIRE, the common rate limiter). From
/// malloc such a block takes 32 bytes, glibc's smallest chunk; here 16, so a deadline costs
/// these keys 16 bytes instead of 32. Cells come from 64 KiB pages, which are kept for reuse
/// until the index is freed (as malloc keeps its small chunks); the memory counters count the
/// cells in use, as they count malloc chunks in use.
///
/// Concurrency contract: `allocate` and `release` may be called from any thread (under a
/// leaf's exclusive lock: the pool's spin lock is the innermost lock, held for a few
/// instructions). A cell is read and written only by the holder of its entry's leaf lock.
final class CellPool: @unchecked Sendable {
    static let cellBytes = 16
    static let pageBytes = 64 * 1024

    /// Guarded by `locked`: the free cells, linked through their first word, and the pages.
    private var free: UnsafeMutableRawPointer?
    private var pages: [UnsafeMutableRawPointer] = []
    private let locked = ManagedAtomic<Bool>(false)

    deinit {
        for page in pages { page.deallocate() }
    }

    func allocate() -> UnsafeMutableRawPointer {
        withLock {
            if let cell = free {
                free = cell.load(as: UnsafeMutableRawPointer?.self)
                return cell
            }
            let page = UnsafeMutableRawPointer.allocate(byteCount: Self.pageBytes, alignment: Self.cellBytes)
            pages.append(page)
            // Cell 0 is returned; the others are threaded onto the free list.
            var next: UnsafeMutableRawPointer? = nil
            for offset in stride(from: Self.pageBytes - Self.cellBytes, to: 0, by: -Self.cellBytes) {
                (page + offset).storeBytes(of: next, as: UnsafeMutableRawPointer?.self)
                next = page + offset
            }
            free = next
            return page
        }
    }

    func release(_ cell: UnsafeMutableRawPointer) {
        withLock {
            cell.storeBytes(of: free, as: UnsafeMutableRawPointer?.self)
            free = cell
        }
    }

    private func withLock<R>(_ body: () -> R) -> R {
        var backoff = SpinBackoff()
        while !locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged { backoff.wait() }
        defer { locked.store(false, ordering: .releasing) }
        return body()
    }
}
