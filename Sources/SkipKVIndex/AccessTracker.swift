import Atomics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The shared state behind the per-key access fields: which information to keep (set by
/// the server from `maxmemory-policy`), the LFU parameters, the clock, and random numbers for
/// LFU's probabilistic increments. One tracker serves every shard of a keyspace.
///
/// Updating the field on a read: the reader holds its leaf's lock shared, so other readers of
/// the same node may update fields at the same time. Each update is a relaxed atomic load and,
/// only when the field changes, a relaxed atomic store of the entry's whole `StoredKey` word
/// (no writer can hold the node, so only the access bits can differ between two racing
/// readers, and one of two racing updates may be lost: an approximation the policies
/// tolerate, as they are approximate anyway). No lock is taken. The cache line written is the
/// entry's record, which the read has just loaded; it is written at most once per clock tick
/// (the coarse clock, 1 to 4 ms) for recency, and for frequency only when the logarithmic
/// counter moves or a new minute starts, so a hot key read from several cores does not keep
/// its line bouncing between them. Redis writes its object header on every access.
///
/// Concurrency contract: `configure` may run on any thread at any time; the mode and the two
/// parameters are independent relaxed atomics in one cache line that operations only read
/// (a touch that sees the new mode with an old parameter is harmless). The clock is
/// `CLOCK_MONOTONIC_COARSE`, which the kernel keeps in a shared page, so reading it takes no
/// system call and writes nothing. Random numbers come from per-thread-stripe xorshift states,
/// each in its own cache line, read and written with relaxed atomics (threads sharing a stripe
/// may draw the same number, which only skews the increment probability slightly).
public final class AccessTracker: @unchecked Sendable {
    private typealias Word = Int.AtomicRepresentation
    private typealias RandomWord = UInt64.AtomicRepresentation

    /// Mode at 0, lfu-log-factor at 8, lfu-decay-time at 16 (each an `Int` atomic).
    private let settings: UnsafeMutableRawPointer
    private let randomStripes: UnsafeMutableRawPointer
    private static let stripeCount = 32
    /// Coarse monotonic milliseconds when the tracker was made: the clock's zero.
    private let origin: UInt64

    public init(seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        settings = .allocate(byteCount: 64, alignment: 64)
        settings.initializeMemory(as: Word.self, repeating: Word(0), count: 3)
        (settings + 8).assumingMemoryBound(to: Word.self).pointee = Word(10)
        (settings + 16).assumingMemoryBound(to: Word.self).pointee = Word(1)
        randomStripes = .allocate(byteCount: Self.stripeCount * 64, alignment: 64)
        for stripe in 0..<Self.stripeCount {
            // xorshift needs a non-zero state.
            let state = SeededHash.finalize(seed &+ UInt64(stripe)) | 1
            (randomStripes + stripe * 64).initializeMemory(as: RandomWord.self, repeating: RandomWord(state), count: 1)
        }
        origin = Self.coarseMilliseconds()
    }

    deinit {
        settings.deallocate()
        randomStripes.deallocate()
    }

    private func setting(_ offset: Int) -> UnsafeMutablePointer<Word> {
        (settings + offset).assumingMemoryBound(to: Word.self)
    }

    /// Sets what accesses record from now on. Fields written under another mode are read as
    /// if written under this one until the key is next accessed (as in Redis, switching
    /// between LRU and LFU makes the first evictions close to random).
    public func configure(_ tracking: AccessTracking, logFactor: Int, decayMinutes: Int) {
        Word.atomicStore(logFactor, at: setting(8), ordering: .relaxed)
        Word.atomicStore(decayMinutes, at: setting(16), ordering: .relaxed)
        Word.atomicStore(tracking.rawValue, at: setting(0), ordering: .relaxed)
    }

    public var tracking: AccessTracking {
        AccessTracking(rawValue: Word.atomicLoad(at: setting(0), ordering: .relaxed)) ?? .off
    }

    /// Whether accesses are recorded: the one load an operation pays while they are not.
    @inline(__always)
    var isTracking: Bool {
        Word.atomicLoad(at: setting(0), ordering: .relaxed) != AccessTracking.off.rawValue
    }

    /// The clock for one operation; nil while tracking is off.
    public func now() -> AccessStamp? {
        let mode = Word.atomicLoad(at: setting(0), ordering: .relaxed)
        if mode == AccessTracking.off.rawValue { return nil }
        return stamp(AccessTracking(rawValue: mode)!, milliseconds: Self.coarseMilliseconds() &- origin)
    }

    /// The clock as it reads now even while tracking is off (for eviction scores and MEMORY).
    public func current() -> AccessStamp {
        stamp(tracking, milliseconds: Self.coarseMilliseconds() &- origin)
    }

    private func stamp(_ tracking: AccessTracking, milliseconds: UInt64) -> AccessStamp {
        AccessStamp(tracking: tracking, milliseconds: milliseconds,
                    logFactor: Word.atomicLoad(at: setting(8), ordering: .relaxed),
                    decayMinutes: Word.atomicLoad(at: setting(16), ordering: .relaxed))
    }

    /// A uniform random 32-bit number from the calling thread's stripe (xorshift64*).
    public func randomWord() -> UInt32 {
        let stripe = Int(truncatingIfNeeded: EpochReclaimer.currentThreadHash()) & (Self.stripeCount - 1)
        let state = (randomStripes + stripe * 64).assumingMemoryBound(to: RandomWord.self)
        var x = RandomWord.atomicLoad(at: state, ordering: .relaxed)
        x ^= x >> 12
        x ^= x << 25
        x ^= x >> 27
        RandomWord.atomicStore(x, at: state, ordering: .relaxed)
        return UInt32(truncatingIfNeeded: (x &* 0x2545_F491_4F6C_DD1D) >> 32)
    }

    /// CLOCK_MONOTONIC_COARSE in milliseconds.
    @inline(__always)
    static func coarseMilliseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
        return UInt64(now.tv_sec) &* 1000 &+ UInt64(now.tv_nsec) / 1_000_000
    }
}
