/// Searching within and across nodes: the read-coupled descent and the write-locked walk along
/// one level. See `BSkipList` for the locking rules these follow.
extension BSkipList {
    /// Which entry a search stops at in each node.

    enum Probe {
        /// The largest key <= the search key.
        case atOrBelow
        /// The largest key < the search key.
        case below
        /// The largest key of all (the search key is ignored).
        case last
    }

    /// Index of the entry `probe` selects in `node`, searching slots 1..<count; slot 0 is
    /// assumed to qualify (the sentinel of a head, or a first key the caller checked).
    @inline(__always)
    func position(in node: BNode, of key: SearchKey, _ probe: Probe) -> Int {
        search(count: node.count, probe) { node.compare(key, $0) }!
    }

    /// The search behind `position`, over a comparison of the key with slot i that may give up
    /// (nil). It first steps through every eighth slot — one per pair of cache lines of the
    /// word array (16 bytes an entry), loads the CPU issues ahead of the comparisons — and then
    /// bisects the eight slots it stopped in, instead of a plain bisection whose cache misses
    /// all wait on each other.
    func search(count: Int, _ probe: Probe, _ compare: (Int) -> Int?) -> Int? {
        if probe == .last { return count - 1 }
        var lo = 1
        var stride = 8
        while stride < count {
            guard let c = compare(stride) else { return nil }
            if c < 0 || (c == 0 && probe == .below) { break }
            lo = stride + 1
            stride += 8
        }
        var hi = min(stride, count)
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            guard let c = compare(mid) else { return nil }
            if c > 0 || (c == 0 && probe == .atOrBelow) { lo = mid &+ 1 } else { hi = mid }
        }
        return lo &- 1
    }

    /// Whether the node after `node` might start with a key the probe moves onto, judged from
    /// the cached first key; false means it certainly does not.
    
    func successorMayQualify(_ node: BNode, _ key: SearchKey, _ probe: Probe) -> Bool {
        let cachedLength = node.cachedLength
        if cachedLength < 0 { return false }
        if probe == .last { return true }
        let c = compareWords(key, node.cachedHigh, node.cachedLow)
        if c != 0 { return c > 0 }
        let inline = SearchKey.inlineBytes
        if key.length > inline && cachedLength > inline { return true }  // tie on 16 bytes: look at the node
        return probe == .atOrBelow ? key.length >= cachedLength : key.length > cachedLength
    }

    
    func qualifies(_ node: BNode, firstKeyFor key: SearchKey, _ probe: Probe) -> Bool {
        switch probe {
        case .last: return true
        case .atOrBelow: return node.compare(key, 0) >= 0
        case .below: return node.compare(key, 0) > 0
        }
    }

    /// Read-locked walk right from `start` (read-locked) to the node holding the entry `probe`
    /// selects; returns that node, still read-locked, and the entry's index.
    @inline(__always)
    func walkShared(from start: BNode, _ key: SearchKey, _ probe: Probe) -> (BNode, Int) {
        var node = start
        while successorMayQualify(node, key, probe) {
            let next = node.next!
            next.lockShared()
            if qualifies(next, firstKeyFor: key, probe) {
                node.unlockShared()
                node = next
            } else {
                next.unlockShared()
                break
            }
        }
        return (node, position(in: node, of: key, probe))
    }

    // The read path's pieces (this, `startNode`, `walkShared`, `position`) are forced inline:
    // once eviction and MEMORY USAGE added callers of the descent, the optimizer stopped
    // inlining it into GET, about 80 instructions more per GET under callgrind
    // (docs/BENCHMARKS.md, "Memory limits").
    /// The read-locked node on `level` holding the entry `probe` selects, and that entry's index.
    @inline(__always)
    func descendShared(to level: Int, _ key: SearchKey, _ probe: Probe) -> (BNode, Int) {
        walkShared(from: startNode(onLevel: level, key, probe, exclusive: false), key, probe)
    }

    /// The node on `level` where a walk toward `key` starts, locked shared or exclusive: the child
    /// of the entry `probe` selects one level up (the head, on the top level).
    @inline(__always)
    func startNode(onLevel level: Int, _ key: SearchKey, _ probe: Probe, exclusive: Bool) -> BNode {
        if level == topLevel {
            let head = heads[topLevel]
            if exclusive { head.lockExclusive() } else { head.lockShared() }
            return head
        }
        if readCoupling == .optimistic {
            for _ in 0..<Self.optimisticAttempts {
                if let node = optimisticStartNode(onLevel: level, key, probe, exclusive: exclusive) { return node }
            }
        }
        var node = heads[topLevel]
        node.lockShared()
        var current = topLevel
        while true {
            let (holder, i) = walkShared(from: node, key, probe)
            let child = holder.child(i)
            current -= 1
            if current == level {
                if exclusive { child.lockExclusive() } else { child.lockShared() }
                holder.unlockShared()
                return child
            }
            child.lockShared()
            holder.unlockShared()
            node = child
        }
    }

    /// Tries after this many optimistic descents that met a concurrent change before taking
    /// read locks, so that readers cannot starve under a stream of writes.
    static var optimisticAttempts: Int { 4 }

    /// `startNode` without read locks above `level`: each node is read between taking its
    /// version and checking it is unchanged (`NodeLock`), and a pointer is followed only after
    /// the node holding it was checked, so everything followed was reachable while this thread
    /// was pinned and the epoch reclaimer keeps it allocated. After locking the start node, the
    /// node above is checked once more, so the start node was still linked when locked.
    /// Returns nil when a check fails.
    func optimisticStartNode(onLevel level: Int, _ key: SearchKey, _ probe: Probe, exclusive: Bool) -> BNode? {
        var node = heads[topLevel]
        var version = node.stableVersion()
        var current = topLevel
        while true {
            // The cached successor key is read without the lock too; a wrong answer is caught
            // by the check before the child pointer is followed.
            while successorMayQualify(node, key, probe) {
                let successor = node.next
                guard node.isUnchanged(since: version), let next = successor else { return nil }
                let nextVersion = next.stableVersion()
                guard node.isUnchanged(since: version) else { return nil }
                if probe != .last {
                    guard let c = optimisticCompare(key, next, 0, nextVersion) else { return nil }
                    if c < 0 || (c == 0 && probe == .below) { break }
                }
                node = next
                version = nextVersion
            }
            guard let i = optimisticPosition(in: node, of: key, probe, version) else { return nil }
            let unverified = node.unverifiedChild(i)
            guard node.isUnchanged(since: version), let child = unverified else { return nil }
            current -= 1
            if current == level {
                if exclusive { child.lockExclusive() } else { child.lockShared() }
                if node.isUnchanged(since: version) { return child }
                if exclusive { child.unlockExclusive() } else { child.unlockShared() }
                return nil
            }
            let childVersion = child.stableVersion()
            guard node.isUnchanged(since: version) else { return nil }
            node = child
            version = childVersion
        }
    }

    /// `compare` on fields read without the lock: the key block is read only after checking the
    /// node, so the block was the entry's while this thread was pinned and is still allocated.
    /// Nil when the check fails.
    func optimisticCompare(_ key: SearchKey, _ node: BNode, _ i: Int, _ version: UInt64) -> Int? {
        let c = compareWords(key, node.high(i), node.low(i))
        if c != 0 { return c }
        let stored = node.storedKey(i)
        if stored.block != nil && key.length > SearchKey.inlineBytes {
            guard node.isUnchanged(since: version) else { return nil }
        }
        return stored.compareTail(key)  // reads the block only when both keys are long
    }

    /// `position` on fields read without the lock, with the count clamped to the node's capacity.
    func optimisticPosition(in node: BNode, of key: SearchKey, _ probe: Probe, _ version: UInt64) -> Int? {
        search(count: min(max(node.count, 1), capacity), probe) { optimisticCompare(key, node, $0, version) }
    }

    /// Where a key stands on one level, found under write locks.

    struct LevelPosition {
        /// The node holding the largest key below the search key (write-locked).
        var left: BNode
        /// Index of that key in `left` (0 for a head's sentinel).
        var index: Int
        /// `left`'s successor when it starts with the search key (write-locked), else nil.
        var right: BNode?

        /// Whether the key is the entry after `index` in `left`.
        func keyFollowsInLeft(_ key: SearchKey) -> Bool {
            right == nil && index + 1 < left.count && left.compare(key, index + 1) == 0
        }

        func unlock() {
            left.unlockExclusive()
            right?.unlockExclusive()
        }
    }

    /// Walks right from `start` (write-locked, at or before the key's position) with
    /// hand-over-hand write locks to the node holding the largest key below `key`.
    
    func walkExclusive(from start: BNode, _ key: SearchKey) -> LevelPosition {
        assertWriteLocked(start)
        var node = start
        var right: BNode? = nil
        while successorMayQualify(node, key, .atOrBelow) {
            let next = node.next!
            next.lockExclusive()
            assertLevel(next, node.level)
            node.link(to: next)  // refresh the cached first key while both are held
            let c = next.compare(key, 0)
            if c > 0 {
                node.unlockExclusive()
                node = next
            } else if c == 0 {
                right = next
                break
            } else {
                next.unlockExclusive()
                break
            }
        }
        return LevelPosition(left: node, index: position(in: node, of: key, .below), right: right)
    }

    /// Write-locks the position of `key` on level `level`.
    func lockLevel(_ level: Int, _ key: SearchKey) -> LevelPosition {
        walkExclusive(from: startNode(onLevel: level, key, .below, exclusive: true), key)
    }

    /// Moves a write-locked position one level down: locks the child of the predecessor entry,
    /// releases `position`'s nodes, and walks right on the level below.
    
    func descendExclusive(from position: LevelPosition, _ key: SearchKey) -> LevelPosition {
        let start = position.left.child(position.index)
        start.lockExclusive()
        assertLevel(start, position.left.level - 1)
        position.unlock()
        return walkExclusive(from: start, key)
    }
}
