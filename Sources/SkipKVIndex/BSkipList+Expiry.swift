/// Keeping the `DeadlineIndex` in step with the nodes (every call holds the node's exclusive
/// lock), and what the expiry cycle and the volatile-* eviction policies read through it.
extension BSkipList {
    // MARK: Upkeep, under the node's exclusive lock

    /// Leaf `node` now holds an entry with `deadline` (0: none): lowers its bound if earlier.
    @inline(__always)
    func noteDeadline(_ node: BNode, _ deadline: Int64) {
        guard deadline != 0, let deadlines else { return }
        let bound = node.minDeadline
        if bound == 0 || deadline < bound {
            deadlines.move(node, from: bound, to: deadline)
            node.minDeadline = deadline
        }
    }

    /// Sets leaf `node`'s bound to the earliest deadline among its entries (a node just filled
    /// by a split).
    func boundDeadlines(of node: BNode) {
        guard let deadlines, node.mayHoldDeadlines else { return }
        let earliest = earliestDeadline(in: node, liveAt: nil)
        deadlines.move(node, from: node.minDeadline, to: earliest)
        node.minDeadline = earliest
    }

    /// `left` absorbed `right`'s entries: it takes the lower of the two bounds.
    func mergeDeadlineBounds(_ right: BNode, into left: BNode) {
        guard let deadlines else { return }
        let bound = right.minDeadline, current = left.minDeadline
        if bound != 0 && (current == 0 || bound < current) {
            deadlines.move(left, from: current, to: bound)
            left.minDeadline = bound
        }
    }

    /// Takes leaf `node`, about to be freed, out of the index and marks it retired.
    func forgetDeadlineBound(of node: BNode) {
        node.isRetired = true
        guard let deadlines, node.minDeadline != 0 else { return }
        deadlines.move(node, from: node.minDeadline, to: 0)
        node.minDeadline = 0
    }

    /// Leaf entry `i`'s deadline is about to change to `deadline` (0: none): counts the change,
    /// marks the leaf and lowers its bound. Out of line: keys without deadlines never get here.
    @inline(never)
    func recordDeadlineChange(_ node: BNode, _ i: Int, to deadline: Int64, stripe: UInt64) {
        if deadline != 0 { node.mayHoldDeadlines = true }
        guard let deadlines else { return }
        let old = node.deadline(i)
        if old == deadline { return }
        if old != 0 { deadlines.count(old, -1, stripe: stripe) }
        if deadline != 0 { deadlines.count(deadline, 1, stripe: stripe) }
        noteDeadline(node, deadline)
    }

    /// The earliest deadline among `node`'s entries, 0 when none has one; with `now`, of the
    /// entries not yet expired at `now` only.
    private func earliestDeadline(in node: BNode, liveAt now: Int64?) -> Int64 {
        var earliest: Int64 = 0
        for i in (node.isHead ? 1 : 0)..<node.count {
            let deadline = node.deadline(i)
            if deadline == 0 || (now.map { deadline < $0 } ?? false) { continue }
            if earliest == 0 || deadline < earliest { earliest = deadline }
        }
        return earliest
    }

    // MARK: Readers

    /// `key`'s deadline (0: none), nil when it is absent or expired; not an access for the
    /// eviction policies (TTL and PTTL, as Redis's LOOKUP_NOTOUCH).
    public func deadline(ofKey key: UnsafeRawBufferPointer) -> Int64? {
        let found: Int64?? = withLeafEntry(ofKey: key) { leaf, i in
            let deadline = leaf.deadline(i)
            return deadline != 0 && hasExpired(key, deadline) ? nil : deadline
        }
        return found ?? nil
    }

    /// The deadline of `key`'s entry (0: none) even when it has expired and is not yet
    /// removed; nil when absent. Neither an access nor a lazy-expiry note: what WATCH
    /// records and EXEC checks (whether a watched key expired in between).
    public func storedDeadline(ofKey key: UnsafeRawBufferPointer) -> Int64? {
        withLeafEntry(ofKey: key) { leaf, i in leaf.deadline(i) }
    }

    /// The expiry cycle's step: examines up to `limit` nodes whose bound is before `now`,
    /// earliest first, calls `body` with each of their keys expired at `now` and its deadline,
    /// and sets each node's bound to the earliest deadline it keeps. `body` runs under the
    /// node's exclusive lock: copy the key and remove it afterwards (`expire`). Returns how
    /// many nodes it examined (fewer than `limit`: none is left); `examined` grows by the
    /// number of keys with a deadline in them, expired or not.
    @discardableResult
    public func collectExpired(
        now: Int64, nodes limit: Int, examined: inout Int, _ body: (_ key: UnsafeRawBufferPointer, _ deadline: Int64) -> Void
    ) -> Int {
        guard let deadlines else { return 0 }
        return pinned {
            // Copied out first: the index's locks are never held while taking a node's.
            var due: [(bound: Int64, node: BNode)] = []
            deadlines.forEachDue(now: now, limit: limit) { due.append(($0, $1)) }
            for (bound, node) in due {
                // The pin keeps a node that was retired meanwhile from being freed.
                node.lockExclusive()
                defer { node.unlockExclusive() }
                guard !node.isRetired, node.minDeadline == bound else { continue }
                for i in (node.isHead ? 1 : 0)..<node.count {
                    let deadline = node.deadline(i)
                    if deadline == 0 { continue }
                    examined += 1
                    if deadline < now { node.withKey(i) { body($0, deadline) } }
                }
                let earliest = earliestDeadline(in: node, liveAt: now)
                deadlines.move(node, from: bound, to: earliest)
                node.minDeadline = earliest
            }
            return due.count
        }
    }

    /// The key whose deadline comes first (volatile-ttl), with its deadline; nil when no key
    /// has one.
    public func earliestExpiringKey() -> (key: [UInt8], deadline: Int64)? {
        guard let deadlines else { return nil }
        return pinned {
            // A node's bound may be below its earliest deadline: look at a few nodes.
            var candidates: [BNode] = []
            deadlines.forEachEarliest(limit: 8) { candidates.append($1) }
            var best: (key: [UInt8], deadline: Int64)? = nil
            for node in candidates {
                node.lockShared()
                defer { node.unlockShared() }
                if node.isRetired { continue }
                for i in (node.isHead ? 1 : 0)..<node.count {
                    let deadline = node.deadline(i)
                    if deadline != 0 && (best.map { deadline < $0.deadline } ?? true) {
                        best = (node.withKey(i) { Array($0) }, deadline)
                    }
                }
            }
            return best
        }
    }

    /// One step of a sampler over the keys with a deadline (volatile-lru, -lfu, -random): up to
    /// `count` indexed nodes after the index entry `hand`, one random key with a deadline from
    /// each, with its eviction score (`sampleForEviction`). `entry` is the index entry the
    /// caller keeps as the next hand. Returns how many nodes it sampled.
    @discardableResult
    public func sampleKeysWithDeadline(
        after hand: UnsafeRawBufferPointer?, count: Int, maximumGap: Int,
        _ body: (_ entry: UnsafeRawBufferPointer, _ key: UnsafeRawBufferPointer, _ score: UInt64) -> Void
    ) -> Int {
        guard let deadlines else { return 0 }
        return pinned {
            var sampled: [(entry: [UInt8], node: BNode)] = []
            let taken = deadlines.sample(after: hand, count: count, maximumGap: maximumGap) { sampled.append((Array($0), $1)) }
            let stamp = access.current()
            for (entry, node) in sampled {
                node.lockShared()
                defer { node.unlockShared() }
                if node.isRetired { continue }
                var withDeadline: [Int] = []
                for i in (node.isHead ? 1 : 0)..<node.count where node.storedKey(i).hasDeadline { withDeadline.append(i) }
                guard !withDeadline.isEmpty else { continue }
                let i = withDeadline[Int(access.randomWord() % UInt32(withDeadline.count))]
                let stored = node.storedKey(i)
                let score = stamp.evictionScore(stored.access, width: stored.accessWidth)
                node.withKey(i) { key in entry.withUnsafeBytes { body($0, key, score) } }
            }
            return taken
        }
    }
}

