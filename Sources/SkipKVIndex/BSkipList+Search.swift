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
    
    func position(in node: BNode, of key: SearchKey, _ probe: Probe) -> Int {
        var lo = 1
        var hi = node.count
        if probe == .last { return hi - 1 }
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            let c = node.compare(key, mid)
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
        let cachedPrefix = node.cachedPrefix
        if key.prefix != cachedPrefix { return key.prefix > cachedPrefix }
        if key.length > 8 && cachedLength > 8 { return true }  // tie on 8 bytes: look at the node
        return probe == .atOrBelow ? key.length >= cachedLength : key.length > cachedLength
    }

    
    func qualifies(_ node: BNode, firstKeyFor key: SearchKey, _ probe: Probe) -> Bool {
        switch probe {
        case .last: return true
        case .atOrBelow: return node.compare(key, 0) >= 0
        case .below: return node.compare(key, 0) > 0
        }
    }

    /// Read-lock-couples from the top down to `level`, returning the node there that holds the
    /// entry `probe` selects (read-locked) and that entry's index.
    
    func descendShared(to level: Int, _ key: SearchKey, _ probe: Probe) -> (BNode, Int) {
        var node = heads[topLevel]
        node.lockShared()
        var current = topLevel
        while true {
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
            let i = position(in: node, of: key, probe)
            if current == level { return (node, i) }
            let child = node.child(i)
            child.lockShared()
            node.unlockShared()
            node = child
            current -= 1
        }
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
        var node = start
        var right: BNode? = nil
        while successorMayQualify(node, key, .atOrBelow) {
            let next = node.next!
            next.lockExclusive()
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

    /// Write-locks the position of `key` on level `level`, read-coupling down to the level above.
    
    func lockLevel(_ level: Int, _ key: SearchKey) -> LevelPosition {
        let start: BNode
        if level == topLevel {
            start = heads[topLevel]
            start.lockExclusive()
        } else {
            let (parent, i) = descendShared(to: level + 1, key, .below)
            start = parent.child(i)
            start.lockExclusive()
            parent.unlockShared()
        }
        return walkExclusive(from: start, key)
    }

    /// Moves a write-locked position one level down: locks the child of the predecessor entry,
    /// releases `position`'s nodes, and walks right on the level below.
    
    func descendExclusive(from position: LevelPosition, _ key: SearchKey) -> LevelPosition {
        let start = position.left.child(position.index)
        start.lockExclusive()
        position.unlock()
        return walkExclusive(from: start, key)
    }
}
