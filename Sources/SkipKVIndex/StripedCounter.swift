import Atomics

/// A counter split over cache-line-padded stripes so that concurrent writers on different
/// stripes do not contend. Writers pick a stripe (for example from the key hash); a read sums
/// all stripes and is exact only when no writer is active.
public final class StripedCounter: @unchecked Sendable {
    @usableFromInline static let stripes = 16
    @usableFromInline static let stride = 8  // 8 × 8 bytes = one cache line per stripe
    @usableFromInline let cells: UnsafeMutablePointer<Int.AtomicRepresentation>

    public init() {
        cells = .allocate(capacity: Self.stripes * Self.stride)
        for i in 0..<(Self.stripes * Self.stride) { (cells + i).initialize(to: .init(0)) }
    }

    deinit { cells.deallocate() }

    @inlinable
    public func add(_ delta: Int, stripe: UInt64) {
        let cell = cells + Int(stripe % UInt64(Self.stripes)) * Self.stride
        _ = Int.AtomicRepresentation.atomicLoadThenWrappingIncrement(by: delta, at: cell, ordering: .relaxed)
    }

    public var value: Int {
        var total = 0
        for s in 0..<Self.stripes {
            total &+= Int.AtomicRepresentation.atomicLoad(at: cells + s * Self.stride, ordering: .relaxed)
        }
        return total
    }
}
