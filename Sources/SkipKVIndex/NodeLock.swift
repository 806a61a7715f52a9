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
/// Waiters spin briefly, then yield the CPU (`SpinBackoff`).

enum NodeLock {
    typealias Word = UInt64.AtomicRepresentation

    static let writer: UInt64 = 1
    static let reader: UInt64 = 1 << 1
    static let readerMask: UInt64 = ((1 << 20) - 1) << 1
    static let versionUnit: UInt64 = 1 << 21

    /// The value a node's lock word starts with when its creator must hold it write-locked
    /// before the node becomes reachable.
    static let lockedForWrite: UInt64 = writer

    
    static func lockShared(_ word: UnsafeMutablePointer<Word>) {
        var backoff = SpinBackoff()
        while true {
            let before = Word.atomicLoadThenWrappingIncrement(by: reader, at: word, ordering: .acquiring)
            if before & writer == 0 { return }
            _ = Word.atomicLoadThenWrappingDecrement(by: reader, at: word, ordering: .relaxed)
            while Word.atomicLoad(at: word, ordering: .relaxed) & writer != 0 { backoff.wait() }
        }
    }

    
    static func unlockShared(_ word: UnsafeMutablePointer<Word>) {
        _ = Word.atomicLoadThenWrappingDecrement(by: reader, at: word, ordering: .releasing)
    }

    
    static func lockExclusive(_ word: UnsafeMutablePointer<Word>) {
        var backoff = SpinBackoff()
        while true {
            let current = Word.atomicLoad(at: word, ordering: .relaxed)
            if current & writer == 0 {
                let (done, _) = Word.atomicCompareExchange(
                    expected: current, desired: current | writer, at: word, ordering: .acquiring)
                if done { break }
            } else {
                backoff.wait()
            }
        }
        while Word.atomicLoad(at: word, ordering: .acquiring) & readerMask != 0 { backoff.wait() }
    }

    
    static func unlockExclusive(_ word: UnsafeMutablePointer<Word>) {
        // Clears the writer flag and bumps the version in one step; concurrent readers' transient
        // increments are preserved because this is an addition, not a store.
        _ = Word.atomicLoadThenWrappingIncrement(by: versionUnit &- writer, at: word, ordering: .releasing)
    }

    /// The version of an unlocked lock, waiting while a writer holds it. Optimistic readers take
    /// it before reading a node and compare it with `isUnchanged` afterwards.
    static func stableVersion(_ word: UnsafeMutablePointer<Word>) -> UInt64 {
        var backoff = SpinBackoff()
        while true {
            let current = Word.atomicLoad(at: word, ordering: .acquiring)
            if current & writer == 0 { return current & ~readerMask }
            backoff.wait()
        }
    }

    /// Whether no writer has held the lock since `version` was taken, so that the plain reads
    /// made in between saw one consistent state of the node.
    static func isUnchanged(_ word: UnsafeMutablePointer<Word>, since version: UInt64) -> Bool {
        atomicMemoryFence(ordering: .acquiring)
        return Word.atomicLoad(at: word, ordering: .relaxed) & ~readerMask == version
    }
}
