import Atomics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reader-writer spin lock with a version counter, packed in one 64-bit word that lives in
/// a node's raw memory.
///
/// Layout: bit 0 is the writer flag, bits 1...20 count readers, bits 21... count completed
/// write sections (the version, for optimistic readers that validate instead of locking).
/// Writers are preferred: a writer sets its flag as soon as no other writer holds the lock and
/// then waits for the readers to drain; new readers back off while the flag is set.
/// Waiters spin briefly, then yield the CPU, since tests run more threads than cores.

enum NodeLock {
    typealias Word = UInt64.AtomicRepresentation

    static let writer: UInt64 = 1
    static let reader: UInt64 = 1 << 1
    static let readerMask: UInt64 = ((1 << 20) - 1) << 1
    static let versionUnit: UInt64 = 1 << 21

    /// The value a node's lock word starts with when its creator must hold it write-locked
    /// before the node becomes reachable.
    static let lockedForWrite: UInt64 = writer

    @inline(__always)
    static func pause(_ spins: inout Int) {
        spins &+= 1
        if spins > 64 { sched_yield() }
    }

    
    static func lockShared(_ word: UnsafeMutablePointer<Word>) {
        var spins = 0
        while true {
            let before = Word.atomicLoadThenWrappingIncrement(by: reader, at: word, ordering: .acquiring)
            if before & writer == 0 { return }
            _ = Word.atomicLoadThenWrappingDecrement(by: reader, at: word, ordering: .relaxed)
            while Word.atomicLoad(at: word, ordering: .relaxed) & writer != 0 { pause(&spins) }
        }
    }

    
    static func unlockShared(_ word: UnsafeMutablePointer<Word>) {
        _ = Word.atomicLoadThenWrappingDecrement(by: reader, at: word, ordering: .releasing)
    }

    
    static func lockExclusive(_ word: UnsafeMutablePointer<Word>) {
        var spins = 0
        while true {
            let current = Word.atomicLoad(at: word, ordering: .relaxed)
            if current & writer == 0 {
                let (done, _) = Word.atomicCompareExchange(
                    expected: current, desired: current | writer, at: word, ordering: .acquiring)
                if done { break }
            } else {
                pause(&spins)
            }
        }
        while Word.atomicLoad(at: word, ordering: .acquiring) & readerMask != 0 { pause(&spins) }
    }

    
    static func unlockExclusive(_ word: UnsafeMutablePointer<Word>) {
        // Clears the writer flag and bumps the version in one step; concurrent readers' transient
        // increments are preserved because this is an addition, not a store.
        _ = Word.atomicLoadThenWrappingIncrement(by: versionUnit &- writer, at: word, ordering: .releasing)
    }
}
