/// Single-key operations: lookup, put, remove and read-modify-write, plus the insert and
/// delete procedures they share. See `BSkipList` for the locking rules.
extension BSkipList {
    // The generic entry points are inlinable shells around non-generic cores: a generic
    // function called across the module boundary runs unspecialized, looking up type
    // metadata at run time (3% of a pipelined GET's cycles before this split).

    @inlinable
    public func withValue<R>(forKey key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        var result: R? = nil
        visitValue(forKey: key) { value, _ in result = body(value) }
        return result
    }

    /// Calls `body` with the value of `key` and its expiry deadline (0: none) and returns its
    /// result, or nil when absent.
    @inlinable
    public func withEntry<R>(forKey key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, Int64) -> R) -> R? {
        var result: R? = nil
        visitValue(forKey: key) { result = body($0, $1) }
        return result
    }

    /// Calls `body` with the value and deadline of `key` while its leaf is read-locked, and
    /// records the access (`AccessTracker`); false when absent or expired.
    @usableFromInline
    @discardableResult
    func visitValue(forKey key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, Int64) -> Void) -> Bool {
        pinned {
            let search = SearchKey(key)
            let (leaf, i) = descendShared(to: 0, search, .atOrBelow)
            defer { leaf.unlockShared() }
            guard i > 0 || !leaf.isHead, leaf.compare(search, i) == 0 else { return false }
            let stored = leaf.storedKey(i)
            if stored.hasDeadline { return visitExpiringValue(leaf, i, key, body) }
            leaf.withValue(i, stored) { body($0, 0) }
            touch(leaf, i)
            return true
        }
    }

    /// `visitValue`'s end for a key with a deadline (leaf read-locked): out of line, so that
    /// the path of keys without one stays as small as before deadlines existed.
    @inline(never)
    func visitExpiringValue(
        _ leaf: BNode, _ i: Int, _ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, Int64) -> Void
    ) -> Bool {
        let deadline = ExpiringValue.deadline(leaf.valueBlock(i))
        if hasExpired(key, deadline) { return false }
        leaf.withValue(i) { body($0, deadline) }
        touch(leaf, i)
        return true
    }

    /// Whether `key` is present (and not expired), without counting as an access (Redis's
    /// EXISTS and TYPE do not touch a key either).
    public func contains(_ key: UnsafeRawBufferPointer) -> Bool {
        pinned {
            let search = SearchKey(key)
            let (leaf, i) = descendSharedOutOfLine(search)
            defer { leaf.unlockShared() }
            guard (i > 0 || !leaf.isHead) && leaf.compare(search, i) == 0 else { return false }
            let deadline = leaf.deadline(i)
            return deadline == 0 || !hasExpired(key, deadline)
        }
    }

    /// Whether a read of `key`, whose deadline is `deadline`, finds it expired; notes it for
    /// removal if so (`ExpiredReads`). Out of line: reads of keys without deadlines never
    /// get here, and the clock read would make their path bigger.
    @inline(never)
    func hasExpired(_ key: UnsafeRawBufferPointer, _ deadline: Int64) -> Bool {
        guard deadline < clock.now() else { return false }
        expiredReads?.note(key, deadline: deadline)
        return true
    }

    /// Records an access to level-0 entry `i` of `node` (locked, shared or exclusive) when
    /// access tracking is on. Without tracking, one load and a branch: the rest is out of line
    /// to keep the read paths small.
    @inline(__always)
    func touch(_ node: BNode, _ i: Int) {
        if access.isTracking { recordAccess(node, i) }
    }

    @inline(never)
    func recordAccess(_ node: BNode, _ i: Int) {
        guard let stamp = access.now() else { return }
        node.touch(i, stamp, access)
    }

    @discardableResult
    public func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, condition: PutCondition) -> PutOutcome {
        put(key, value, condition: condition, deadline: .clear).outcome
    }

    /// Inserts or overwrites `key` subject to `condition`, with `deadline`; returns what it did
    /// and the key's deadline afterwards (0: none). An expired key counts as absent.
    @discardableResult
    public func put(
        _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, condition: PutCondition, deadline change: DeadlineChange
    ) -> (outcome: PutOutcome, deadline: Int64) {
        let requested: Int64
        switch change {
        case .keep: requested = 0
        case .set(let deadline): requested = deadline
        }
        var result: Int64 = 0
        let outcome: PutOutcome = pinned {
            let locked = lockKey(key)
            guard locked.isPresent else {
                guard condition != .ifPresent else {
                    locked.position.unlock()
                    return .skipped
                }
                result = requested
                insert(key, value, deadline: requested, at: locked)
                return .inserted
            }
            let (leaf, i) = lockLeafEntry(of: locked.position, level: locked.height)
            defer {
                if locked.height > 0 { leaf.unlockExclusive() }
                locked.position.unlock()
            }
            let previous = leaf.deadline(i)
            let expired = previous != 0 && previous < clock.now()
            if condition == (expired ? .ifPresent : .ifAbsent) {
                result = previous
                return .skipped
            }
            result = change == .keep && !expired ? previous : requested
            replaceValue(leaf, i, value, deadline: result, stripe: locked.stripe)
            touch(leaf, i)
            return expired ? .inserted : .replaced
        }
        return (outcome, result)
    }

    @discardableResult
    public func remove(_ key: UnsafeRawBufferPointer) -> Bool {
        removeEntry(key) == .removed
    }

    /// Removes `key`, expired or not, and says which it was.
    public func removeEntry(_ key: UnsafeRawBufferPointer) -> Removal {
        var deadline: Int64 = 0
        let found: Bool = pinned {
            let locked = lockKey(key)
            guard locked.isPresent else {
                locked.position.unlock()
                return false
            }
            deadline = remove(locked)
            return true
        }
        guard found else { return .absent }
        return deadline != 0 && deadline < clock.now() ? .expired : .removed
    }

    /// Removes `key` if its deadline is still `deadline` (the one the expiry cycle or a read
    /// found) and before `now`; true when it did. The step that removes an expired key.
    public func expire(_ key: UnsafeRawBufferPointer, deadline expected: Int64, now: Int64) -> Bool {
        pinned {
            let locked = lockKey(key)
            guard locked.isPresent else {
                locked.position.unlock()
                return false
            }
            let (leaf, i) = lockLeafEntry(of: locked.position, level: locked.height)
            let current = leaf.deadline(i)
            if locked.height > 0 { leaf.unlockExclusive() }
            guard current == expected && current < now else {
                locked.position.unlock()
                return false
            }
            remove(locked)
            return true
        }
    }

    @inlinable
    public func update<R>(_ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) -> (UpdateAction, R)) -> R {
        var result: R? = nil
        updateEntry(key) { current, _ in
            let (action, value) = body(current)
            result = value
            return action
        }
        return result!
    }

    /// `update` whose body also sees the key's deadline (0: none; nil value: absent or
    /// expired); returns its result and the key's deadline afterwards.
    @inlinable
    public func updateWithDeadline<R>(
        _ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?, Int64) -> (UpdateAction, R)
    ) -> (R, deadline: Int64) {
        var result: R? = nil
        let deadline = updateEntry(key) { current, deadline in
            let (action, value) = body(current, deadline)
            result = value
            return action
        }
        return (result!, deadline)
    }

    /// `update` without a result: `body` runs exactly once, under the key's lock, and sees an
    /// expired key as absent. Returns the key's deadline afterwards (0: none or removed).
    @usableFromInline
    @discardableResult
    func updateEntry(_ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?, Int64) -> UpdateAction) -> Int64 {
        var result: Int64 = 0
        pinned {
            let locked = lockKey(key)
            guard locked.isPresent else {
                switch body(nil, 0) {
                case .store(let bytes):
                    bytes.withUnsafeBytes { insert(key, $0, deadline: 0, at: locked) }
                case .storeWithDeadline(let bytes, let deadline):
                    result = deadline
                    bytes.withUnsafeBytes { insert(key, $0, deadline: deadline, at: locked) }
                case .keep, .remove, .setDeadline:
                    locked.position.unlock()
                }
                return
            }
            let (leaf, i) = lockLeafEntry(of: locked.position, level: locked.height)
            let previous = leaf.deadline(i)
            let expired = previous != 0 && previous < clock.now()
            let action = expired ? body(nil, 0) : leaf.withValue(i) { body($0, previous) }
            result = previous
            switch action {
            case .keep, .remove:
                break
            case .store(let bytes):
                if expired { result = 0 }
                bytes.withUnsafeBytes { replaceValue(leaf, i, $0, deadline: result, stripe: locked.stripe) }
            case .storeWithDeadline(let bytes, let deadline):
                result = deadline
                bytes.withUnsafeBytes { replaceValue(leaf, i, $0, deadline: deadline, stripe: locked.stripe) }
            case .setDeadline(let deadline):
                if !expired {
                    result = deadline
                    replaceDeadline(leaf, i, deadline, stripe: locked.stripe)
                }
            }
            if action != .remove { touch(leaf, i) }
            if locked.height > 0 { leaf.unlockExclusive() }
            if action == .remove {
                // The level-`height` locks, still held, keep every other operation on the key out.
                remove(locked)
                result = 0
            } else {
                locked.position.unlock()
            }
        }
        return result
    }

    /// A key with its height and its write-locked position on the level of that height: the
    /// key's lock, held from here until the operation releases it.
    struct LockedKey {
        let search: SearchKey
        let hash: UInt64
        let height: Int
        let position: LevelPosition

        var isPresent: Bool { position.right != nil || position.keyFollowsInLeft(search) }
        /// Spreads the striped counters' updates.
        var stripe: UInt64 { hash >> 32 }
    }

    func lockKey(_ key: UnsafeRawBufferPointer) -> LockedKey {
        let search = SearchKey(key)
        let hash = heights.hash(key)
        let height = heights.height(forHash: hash)
        return LockedKey(search: search, hash: hash, height: height, position: lockLevel(height, search))
    }

    /// The level-0 entry of a key present at `level` in `position`. Below `level` the key starts
    /// its node, so the path follows child pointers at slot 0, write-lock-coupled; `position`
    /// stays locked, and the returned node is a separate lock only when `level > 0`.
    
    func lockLeafEntry(of position: LevelPosition, level: Int) -> (BNode, Int) {
        let (node, i) = position.right.map { ($0, 0) } ?? (position.left, position.index + 1)
        if level == 0 { return (node, i) }
        var current = node.child(i)
        current.lockExclusive()
        for _ in 1..<level {
            let child = current.child(0)
            child.lockExclusive()
            current.unlockExclusive()
            current = child
        }
        return (current, 0)
    }

    /// Inserts an absent key whose level-`height` position is write-locked; releases every lock.

    func insert(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, deadline: Int64, at locked: LockedKey) {
        let (search, height, top, stripe) = (locked.search, locked.height, locked.position, locked.stripe)
        assertWriteLocked(top.left)
        let stored = makeStoredKey(key, valueLength: value.count, stripe: stripe).setting(hasDeadline: deadline != 0)
        let valuePayload = makeValuePayload(value, deadline: deadline, stripe: stripe)
        withUnsafeTemporaryAllocation(of: BNode.self, capacity: max(height, 1)) { below in
            // below[l] will start with the key on level l < height; it is write-locked from birth
            // so a reader following the new entry above waits until it is complete.
            for level in 0..<height {
                below.initializeElement(at: level, to: newNode(level: level, lockedForWrite: true))
            }
            func store(_ node: BNode, _ i: Int, onLevel level: Int) {
                if level == 0 {
                    node.setEntry(i, key: search, stored: stored, payload: valuePayload)
                    noteDeadline(node, deadline)
                } else {
                    node.setEntry(i, key: search, stored: stored.withoutValueLength,
                                  payload: UInt64(UInt(bitPattern: below[level - 1].raw)))
                }
            }

            // Top level: insert after the predecessor, splitting a full node in half first. The
            // right half gets no parent entry; it is reachable only through `next`.
            var node = top.left
            var slot = top.index + 1
            // A level-0 node split off here stays locked until its deadline bound is set: the
            // expiry cycle reaches nodes through the DeadlineIndex, not only through `next`.
            var splitOff: BNode? = nil
            if node.count == capacity {
                let half = capacity / 2
                let right = newNode(level: height, lockedForWrite: height == 0)
                if height == 0 { splitOff = right }
                BNode.moveEntries(from: node, half, to: right, 0, count: capacity - half)
                right.count = capacity - half
                node.count = half
                right.linkLike(node)
                node.link(to: right)
                if slot > half {
                    node = right
                    slot -= half
                }
            }
            node.openGap(at: slot)
            store(node, slot, onLevel: height)
            if let splitOff { boundDeadlines(of: splitOff) }
            assertWellFormed(top.left, onLevel: height)
            if node != top.left { assertWellFormed(node, onLevel: height, writeLocked: splitOff != nil) }
            splitOff?.unlockExclusive()

            // Lower levels: split the node holding the predecessor so that below[level] starts
            // with the key and takes every entry after it (it cannot overflow).
            var predecessor = (node: node, index: slot - 1)
            var held = top
            var level = height
            while level > 0 {
                level -= 1
                let start = predecessor.node.child(predecessor.index)
                start.lockExclusive()
                held.unlock()
                if level + 1 < height { below[level + 1].unlockExclusive() }
                held = walkExclusive(from: start, search)
                let left = held.left
                let newFirst = below[level]
                let moved = left.count - (held.index + 1)
                BNode.moveEntries(from: left, held.index + 1, to: newFirst, 1, count: moved)
                store(newFirst, 0, onLevel: level)
                newFirst.count = moved + 1
                if level == 0 { boundDeadlines(of: newFirst) }
                newFirst.hasParent = true
                newFirst.linkLike(left)
                left.count = held.index + 1
                left.link(to: newFirst)
                assertWellFormed(left, onLevel: level)
                assertWellFormed(newFirst, onLevel: level)
                predecessor = (left, held.index)
            }
            held.unlock()
            if height > 0 { below[0].unlockExclusive() }
        }
        keyCounter.add(1, stripe: stripe)
        if deadline != 0 { deadlines?.count(deadline, 1, stripe: stripe) }
    }

    /// Removes a present key whose level-`height` position is write-locked, level by level down
    /// to 0; releases every lock. Returns the key's deadline (0: none).
    @discardableResult
    func remove(_ locked: LockedKey) -> Int64 {
        var deadline: Int64 = 0
        var position = locked.position
        var level = locked.height
        while true {
            let left = position.left
            assertWriteLocked(left)
            if let right = position.right {
                // The key starts `right`; `right` loses its parent entry (if it had one) with it.
                if level == 0 {
                    deadline = right.deadline(0)
                    releaseEntryStorage(right, 0)
                }
                right.removeEntry(at: 0)
                right.hasParent = false
                if right.count == 0 {
                    left.linkLike(right)
                    freeNode(right)
                } else if left.count + right.count <= mergeLimit {
                    merge(right, into: left)
                } else {
                    left.link(to: right)
                    assertWellFormed(right, onLevel: level)
                    right.unlockExclusive()
                }
                position.right = nil
            } else {
                let i = position.index + 1
                if level == 0 {
                    deadline = left.deadline(i)
                    releaseEntryStorage(left, i)
                }
                left.removeEntry(at: i)
                absorbSuccessorIfUnderfull(left)
            }
            assertWellFormed(left, onLevel: level)
            if level == 0 { break }
            level -= 1
            position = descendExclusive(from: position, locked.search)
        }
        position.unlock()
        keyCounter.add(-1, stripe: locked.stripe)
        if deadline != 0 { deadlines?.count(deadline, -1, stripe: locked.stripe) }
        return deadline
    }

    /// Appends `right`'s entries to `left` and frees `right`. Both are write-locked, `right`
    /// follows `left` and has no parent entry, so `left` held the only pointer to it.

    func merge(_ right: BNode, into left: BNode) {
        assertWriteLocked(left)
        assertWriteLocked(right)
        assertStructure(right.level == left.level && !right.hasParent, "merging a node that is not a parentless neighbour")
        BNode.moveEntries(from: right, 0, to: left, left.count, count: right.count)
        left.count += right.count
        left.linkLike(right)
        if left.level == 0 { mergeDeadlineBounds(right, into: left) }
        freeNode(right)
    }

    /// Keeps memory bounded under deletes: an under-full node (write-locked) absorbs its
    /// successor when that has no parent entry and both fit.

    func absorbSuccessorIfUnderfull(_ node: BNode) {
        assertWriteLocked(node)
        guard node.count <= capacity / 4, let next = node.next else { return }
        next.lockExclusive()
        if !next.hasParent && node.count + next.count <= mergeLimit {
            merge(next, into: node)
        } else {
            next.unlockExclusive()
        }
    }
}
