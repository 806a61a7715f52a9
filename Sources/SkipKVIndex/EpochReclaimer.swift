import Atomics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Epoch-based reclamation of raw memory blocks that concurrent readers may still be reading.
///
/// A thread *pins* before it dereferences shared blocks and unpins afterwards. A block is
/// *retired* once it has been made unreachable to new readers; it is freed when the global
/// epoch has advanced twice since the retirement, because:
///  - a pin records itself in the counter of the current epoch's parity and is valid only if
///    the epoch is unchanged after that increment, so a thread pinned in epoch E keeps the
///    epoch from advancing past E + 1 (advancing E + 1 → E + 2 needs parity E's counters at 0);
///  - a reader that can still reach a block retired in epoch r pinned before the block became
///    unreachable, hence in an epoch E ≤ r; so once the epoch is r + 2, no such reader remains.
/// Pins need no per-thread registration: they are counted in per-parity counters striped by
/// thread, so nested pins and any number of threads are fine. Each stripe (one
/// cache line) also holds a spin-locked limbo list of retired blocks in retirement order; a
/// retiring thread tries to advance the epoch and frees the expired prefix of its stripe's list
/// every `collectBatch` retirements.
///
/// Freed bytes are subtracted from the `memory.inUse` counter given at creation, which the
/// owner increments when it allocates, so the counter covers everything not yet freed;
/// `memory.awaitingReclamation` counts the retired bytes not yet freed, which a caller that
/// must not count memory about to go away (eviction) subtracts.
@_spi(IndexInternals) public final class EpochReclaimer: @unchecked Sendable {
    @usableFromInline typealias Word = UInt.AtomicRepresentation

    /// Proof of a pin, to hand back to `unpin`.
    public struct Pin {
        @usableFromInline let counter: UnsafeMutablePointer<Word>
        /// `currentThreadHash()` of the pinning thread, also usable to pick stripes of other
        /// striped counters.
        public let threadHash: UInt64
    }

    private struct Retired {
        let block: UnsafeMutableRawPointer
        let bytes: Int
        let epoch: UInt
    }

    private static let stripeCount = 32
    private static let collectBatch = 128

    private let epoch: UnsafeMutablePointer<Word>
    private let stripes: UnsafeMutableRawPointer
    private let memory: MemoryCounters

    public init(memory: MemoryCounters) {
        self.memory = memory
        // The epoch gets a cache line of its own: every pin reads it.
        epoch = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
            .initializeMemory(as: Word.self, repeating: Word(0), count: 1)
        stripes = .allocate(byteCount: Self.stripeCount * Stripe.byteCount, alignment: 64)
        for index in 0..<Self.stripeCount { stripe(index).initialize() }
    }

    deinit {
        for index in 0..<Self.stripeCount {
            let stripe = stripe(index)
            for item in UnsafeBufferPointer(start: stripe.limbo, count: stripe.limboCount) {
                item.block.deallocate()
            }
            stripe.limbo?.deallocate()
        }
        stripes.deallocate()
        epoch.deallocate()
    }

    /// A number identifying the calling thread, to pick stripes with: 0, 1, 2, … in order of
    /// first use, so that the first `stripeCount` threads get distinct stripes, which a real hash
    /// of thread handles would not guarantee.
    public static func currentThreadHash() -> UInt64 {
        if let stored = pthread_getspecific(threadOrdinalKey) {
            return UInt64(UInt(bitPattern: stored) - 1)
        }
        let ordinal = nextThreadOrdinal.loadThenWrappingIncrement(ordering: .relaxed)
        // Stored plus one: nil means "not assigned yet".
        pthread_setspecific(threadOrdinalKey, UnsafeRawPointer(bitPattern: ordinal + 1))
        return UInt64(ordinal)
    }

    // MARK: Pinning

    public func pin() -> Pin {
        let threadHash = Self.currentThreadHash()
        let stripe = stripe(for: threadHash)
        while true {
            let current = Word.atomicLoad(at: epoch, ordering: .relaxed)
            let counter = stripe.pins(parity: current)
            _ = Word.atomicLoadThenWrappingIncrement(by: 1, at: counter, ordering: .sequentiallyConsistent)
            // Valid only if no advance slipped in before the increment became visible: an
            // advancer that checked this parity earlier would not have seen us.
            if Word.atomicLoad(at: epoch, ordering: .sequentiallyConsistent) == current {
                return Pin(counter: counter, threadHash: threadHash)
            }
            _ = Word.atomicLoadThenWrappingDecrement(by: 1, at: counter, ordering: .releasing)
        }
    }

    @inlinable public func unpin(_ pin: Pin) {
        // Releasing, so that everything the reader did happens before a free that follows an
        // advance which saw this counter at zero.
        _ = Word.atomicLoadThenWrappingDecrement(by: 1, at: pin.counter, ordering: .releasing)
    }

    // MARK: Retiring and freeing

    /// Frees `block` (of `bytes` bytes, as counted in `memory`) once no pinned thread can reach
    /// it. Call only after the block became unreachable for threads that pin from now on.
    public func retire(_ block: UnsafeMutableRawPointer, bytes: Int, threadHash: UInt64) {
        let stripe = stripe(for: threadHash)
        stripe.lock()
        // The unlinking stores must be ordered before reading the epoch the block is retired in.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        let retiredIn = Word.atomicLoad(at: epoch, ordering: .sequentiallyConsistent)
        stripe.append(Retired(block: block, bytes: bytes, epoch: retiredIn))
        memory.awaitingReclamation.add(bytes, stripe: threadHash)
        let due = stripe.limboCount >= stripe.collectAt
        stripe.unlock()
        if due {
            tryAdvance()
            collect(stripe)
        }
    }

    /// Frees everything that can be freed now. In a quiescent state (nobody pinned) that is
    /// every retired block.
    public func drain() {
        tryAdvance()
        tryAdvance()
        for index in 0..<Self.stripeCount { collect(stripe(index)) }
    }

    /// Number of retired blocks not yet freed.
    public var pendingBlocks: Int {
        var total = 0
        for index in 0..<Self.stripeCount {
            let stripe = stripe(index)
            stripe.lock()
            total += stripe.limboCount
            stripe.unlock()
        }
        return total
    }

    /// Advances the epoch from E to E + 1 if no thread is still pinned in E − 1.
    private func tryAdvance() {
        let current = Word.atomicLoad(at: epoch, ordering: .sequentiallyConsistent)
        for index in 0..<Self.stripeCount {
            let pins = stripe(index).pins(parity: current &+ 1)
            if Word.atomicLoad(at: pins, ordering: .sequentiallyConsistent) != 0 { return }
        }
        _ = Word.atomicCompareExchange(
            expected: current, desired: current &+ 1, at: epoch, ordering: .sequentiallyConsistent)
    }

    /// Frees the blocks of `stripe` retired at least two epochs ago.
    private func collect(_ stripe: Stripe) {
        stripe.lock()
        let now = Word.atomicLoad(at: epoch, ordering: .acquiring)
        let limbo = stripe.limbo
        let count = stripe.limboCount
        var expired = 0
        var freedBytes = 0
        while expired < count, limbo![expired].epoch &+ 2 <= now {
            let item = limbo![expired]
            item.block.deallocate()
            freedBytes += item.bytes
            expired += 1
        }
        if expired > 0 {
            memmove(limbo!, limbo! + expired, (count - expired) * MemoryLayout<Retired>.stride)
            stripe.limboCount = count - expired
            memory.inUse.add(-freedBytes, stripe: UInt64(now))
            memory.awaitingReclamation.add(-freedBytes, stripe: UInt64(now))
        }
        stripe.collectAt = stripe.limboCount + Self.collectBatch
        stripe.unlock()
    }

    // MARK: Stripes

    private func stripe(_ index: Int) -> Stripe { Stripe(raw: stripes + index * Stripe.byteCount) }

    private func stripe(for threadHash: UInt64) -> Stripe {
        stripe(Int(truncatingIfNeeded: threadHash) & (Self.stripeCount - 1))
    }

    /// One cache line of raw memory:
    ///
    ///     offset  field
    ///      0      pins of even epochs    atomic
    ///      8      pins of odd epochs     atomic
    ///     16      limbo lock             atomic, 0 or 1
    ///     24      limbo                  buffer of `Retired`, in retirement order   (under the lock)
    ///     32      limboCount                                                        (under the lock)
    ///     40      limboCapacity                                                     (under the lock)
    ///     48      collectAt              limboCount that triggers the next collection (under the lock)
    private struct Stripe {
        static let byteCount = 64
        let raw: UnsafeMutableRawPointer

        func initialize() {
            raw.initializeMemory(as: Word.self, repeating: Word(0), count: 3)
            limbo = nil
            limboCount = 0
            limboCapacity = 0
            collectAt = EpochReclaimer.collectBatch
        }

        func pins(parity epoch: UInt) -> UnsafeMutablePointer<Word> {
            (raw + 8 * Int(epoch & 1)).assumingMemoryBound(to: Word.self)
        }

        private var lockWord: UnsafeMutablePointer<Word> { (raw + 16).assumingMemoryBound(to: Word.self) }

        func lock() {
            var backoff = SpinBackoff()
            while Word.atomicLoad(at: lockWord, ordering: .relaxed) != 0
                || !Word.atomicCompareExchange(expected: 0, desired: 1, at: lockWord, ordering: .acquiring).exchanged
            {
                backoff.wait()
            }
        }

        func unlock() {
            Word.atomicStore(0, at: lockWord, ordering: .releasing)
        }

        var limbo: UnsafeMutablePointer<Retired>? {
            get { raw.load(fromByteOffset: 24, as: UnsafeMutablePointer<Retired>?.self) }
            nonmutating set { raw.storeBytes(of: newValue, toByteOffset: 24, as: UnsafeMutablePointer<Retired>?.self) }
        }

        var limboCount: Int {
            get { raw.load(fromByteOffset: 32, as: Int.self) }
            nonmutating set { raw.storeBytes(of: newValue, toByteOffset: 32, as: Int.self) }
        }

        var limboCapacity: Int {
            get { raw.load(fromByteOffset: 40, as: Int.self) }
            nonmutating set { raw.storeBytes(of: newValue, toByteOffset: 40, as: Int.self) }
        }

        var collectAt: Int {
            get { raw.load(fromByteOffset: 48, as: Int.self) }
            nonmutating set { raw.storeBytes(of: newValue, toByteOffset: 48, as: Int.self) }
        }

        /// Appends under the lock, growing the buffer geometrically.
        func append(_ item: Retired) {
            if limboCount == limboCapacity {
                let capacity = max(64, 2 * limboCapacity)
                let grown = UnsafeMutablePointer<Retired>.allocate(capacity: capacity)
                if let old = limbo {
                    grown.moveInitialize(from: old, count: limboCount)
                    old.deallocate()
                }
                limbo = grown
                limboCapacity = capacity
            }
            (limbo! + limboCount).initialize(to: item)
            limboCount += 1
        }
    }
}

/// Process-wide: the thread-specific slot holding each thread's ordinal, and the next ordinal.
private let threadOrdinalKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key, nil)
    precondition(status == 0, "pthread_key_create failed: \(status)")
    return key
}()

private let nextThreadOrdinal = ManagedAtomic<UInt>(0)
