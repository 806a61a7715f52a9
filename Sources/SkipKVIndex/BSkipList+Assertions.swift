import Atomics

/// Debug-only checks of the B-skiplist's structural invariants at the points that change a
/// node: entries inserted, removed or moved, nodes split, merged, linked or freed. Where a
/// writer is about to release a node it changed, the node must be write-locked (as far as a
/// lock word can tell: the writer flag is set), its header must agree with where it stands
/// (level, capacity, head flag and sentinel), it must hold 1...capacity entries in strictly
/// ascending key order, and a non-head node's parent flag must say whether its first key is
/// tall enough to stand one level up. Entry moves must stay within both nodes' capacity.
///
/// Unlike `checkInvariants`, which walks the whole index and needs it quiescent, these read
/// only nodes the calling thread holds (or alone can reach), one node at a time in
/// O(capacity), so they run in every debug test, concurrent stress tests and the
/// ThreadSanitizer run included.
///
/// Compiled only with DEBUG (SwiftPM's debug configuration): in release builds each `assert…`
/// function is empty and inlined away, its autoclosure arguments are never evaluated, and the
/// checks themselves do not exist, so release code is the same as without them.
extension BSkipList {
    /// Fails when `node`, on `level`, breaks what a writer must restore before releasing it.
    /// `writeLocked: false` for a node no other thread can reach yet and that its creator did
    /// not lock (the right half of a split, reachable only through a node still held).
    @inline(__always)
    func assertWellFormed(
        _ node: BNode, onLevel level: Int, writeLocked: Bool = true, file: StaticString = #fileID, line: UInt = #line
    ) {
        #if DEBUG
        if let problem = structureProblem(node, onLevel: level, writeLocked: writeLocked) {
            structureAssertionFailure("B-skiplist node on level \(level): \(problem)", file, line)
        }
        #endif
    }

    /// Fails unless `node`'s header says `level`: a node reached through a link or a child
    /// pointer is where the walk expects it.
    @inline(__always)
    func assertLevel(_ node: BNode, _ level: Int, file: StaticString = #fileID, line: UInt = #line) {
        #if DEBUG
        if node.level != level {
            structureAssertionFailure("B-skiplist node of level \(node.level) reached on level \(level)", file, line)
        }
        #endif
    }

    /// Fails unless `node` is write-locked: the precondition of every structural change.
    @inline(__always)
    func assertWriteLocked(_ node: BNode, file: StaticString = #fileID, line: UInt = #line) {
        #if DEBUG
        if !node.isWriteLocked {
            structureAssertionFailure("B-skiplist node on level \(node.level) changed without its write lock", file, line)
        }
        #endif
    }
}

/// Fails through `structureAssertionFailure` when `condition` is false; for the bounds of entry
/// moves within and between nodes. Nothing is evaluated in release builds. (The conditions
/// must not capture a `var`: the closure around it would change the caller's release code.)
@inline(__always)
func assertStructure(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    #if DEBUG
    if !condition() { structureAssertionFailure(message(), file, line) }
    #endif
}

#if DEBUG
/// What a failed structure assertion does: stop the process, as `assert` does. A test
/// replaces it to see a check fire on a deliberately corrupted node, then restores it; nothing
/// else may change it.
nonisolated(unsafe) var structureAssertionFailure: (String, StaticString, UInt) -> Void = { message, file, line in
    assertionFailure(message, file: file, line: line)
}

extension BSkipList {
    /// Why `node` is not a well-formed node of `level`, or nil. Reads only `node` (and the
    /// immutable head array and key heights).
    func structureProblem(_ node: BNode, onLevel level: Int, writeLocked: Bool) -> String? {
        if writeLocked && !node.isWriteLocked { return "not write-locked" }
        if node.level != level { return "header says level \(node.level)" }
        if node.capacity != capacity { return "header says capacity \(node.capacity), the index's is \(capacity)" }
        if node.isHead != (node == heads[level]) { return "head flag \(node.isHead) on a node that is\(node.isHead ? " not" : "") the level's head" }
        if node.count < 1 || node.count > capacity { return "count \(node.count) outside 1...\(capacity)" }
        if node.isHead {
            if node.length(0) != 0 || node.high(0) != 0 || node.low(0) != 0 { return "head sentinel is not the empty key" }
            if level > 0 && node.child(0) != heads[level - 1] { return "head sentinel does not point at the head below" }
        }
        let first = node.isHead ? 1 : 0
        if first + 1 < node.count {
            for i in (first + 1)..<node.count where node.compare(node.searchKey(i - 1), i) >= 0 {
                return "keys out of order at entries \(i - 1) and \(i) of \(node.count)"
            }
        }
        if !node.isHead {
            let firstHeight = node.withKey(0) { heights.height($0) }
            if node.hasParent != (firstHeight > level) {
                return "parent flag \(node.hasParent) for a first key of height \(firstHeight)"
            }
        }
        return nil
    }
}

extension BNode {
    /// Whether a writer holds the node's lock (the writer flag of `NodeLock`).
    var isWriteLocked: Bool {
        NodeLock.Word.atomicLoad(at: lockWord, ordering: .relaxed) & NodeLock.writer != 0
    }

    /// Entry `i`'s key as a search key, to compare two entries of the node.
    func searchKey(_ i: Int) -> SearchKey {
        SearchKey(high: high(i), low: low(i), length: length(i), bytes: storedKey(i).block.map { UnsafeRawPointer($0.bytes) })
    }
}
#endif
