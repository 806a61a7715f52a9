/// What eviction needs from the index: sampling keys with their access scores, and the bytes
/// one key occupies (MEMORY USAGE). See `BSkipList` for the locking rules these follow.
extension BSkipList {
    /// One step of an eviction sampler: a CLOCK hand over level 0 that moves by random gaps.
    ///
    /// Starting after the key `hand` (at the lowest key when nil), it skips a random number of
    /// entries, uniform in 0...`maximumGap`, before each sample, and calls `body` with up to
    /// `count` sampled keys and their eviction scores (`AccessStamp.evictionScore`, higher
    /// means a better candidate; 0 when access tracking is off). At the end of the level it
    /// wraps to the lowest key, once per call. The caller keeps the last key it was given as
    /// the hand for the next call. Returns how many keys it sampled (0 only when the index is
    /// empty, or, with gaps, nearly so).
    ///
    /// Why a hand and not random descents: the level-0 walk visits every key once per lap
    /// whatever the shape of the upper levels, where a random descent would favour keys under
    /// sparsely filled nodes (and never reach nodes that have no parent entry). The random gaps
    /// make which keys a lap samples differ from lap to lap and spread one call's samples over
    /// up to `count × (maximumGap + 1)` neighbouring keys, instead of a run of adjacent keys
    /// that were likely written together. The caller's eviction pool (Redis's idea) keeps the
    /// best candidates across calls, so a stretch of recently used keys under the hand does
    /// not force a poor choice.
    ///
    /// Cost: one descent to the hand (optimistic above level 0), then read-lock coupling along
    /// level 0, where skipping within a node is index arithmetic. `body` runs under the leaf's
    /// shared lock: it must be short and must not call back into the index (copy the key out;
    /// evict after this returns, so no key is ever removed under a lock a reader holds).
    @discardableResult
    public func sampleForEviction(
        after hand: UnsafeRawBufferPointer?, count: Int, maximumGap: Int,
        _ body: (_ key: UnsafeRawBufferPointer, _ score: UInt64) -> Void
    ) -> Int {
        if count <= 0 { return 0 }
        let limit = UInt32(clamping: max(0, maximumGap)) &+ 1
        func nextGap() -> Int { limit == 1 ? 0 : Int(access.randomWord() % limit) }
        return pinned {
            let stamp = access.current()
            var node: BNode
            var i: Int
            if let hand {
                (node, i) = descendSharedOutOfLine(SearchKey(hand))
                i += 1
            } else {
                node = heads[0]
                node.lockShared()
                i = 1
            }
            var taken = 0
            var wrapped = false
            var gap = nextGap()
            while taken < count {
                let n = node.count
                if i &+ gap < n {
                    i &+= gap
                    let stored = node.storedKey(i)
                    let score = stamp.evictionScore(stored.access, width: stored.accessWidth)
                    node.withKey(i) { body($0, score) }
                    taken += 1
                    i += 1
                    gap = nextGap()
                    continue
                }
                gap -= n - i
                if let next = node.next {
                    next.lockShared()
                    node.unlockShared()
                    node = next
                    i = 0
                } else {
                    if wrapped { break }
                    wrapped = true
                    node.unlockShared()
                    node = heads[0]
                    node.lockShared()
                    i = 1
                }
            }
            node.unlockShared()
            return taken
        }
    }

    /// The heap bytes `key` occupies in the index, or nil when it is absent: its leaf entry's
    /// share of the leaf node (node bytes divided by the entries the node holds, so free slots
    /// are shared out too; in the level's head node, which the empty index has already, its
    /// 32-byte entry), 32 bytes for each entry of its tower above level 0, its key block (keys
    /// longer than 16 bytes) and its value block (values longer than 8 bytes, or any value of a
    /// key with a deadline), each as the malloc chunk or `CellPool` cell it takes.
    public func memoryUsage(ofKey key: UnsafeRawBufferPointer) -> Int? {
        withLeafEntry(ofKey: key) { leaf, i in
            let stored = leaf.storedKey(i)
            let leafShare = leaf.isHead ? BNode.bytesPerEntry : (nodeBytes + leaf.count - 1) / leaf.count
            let tower = heights.height(key) * BNode.bytesPerEntry
            let value = valueBlockFootprint(leaf, i)
            return leafShare + tower + stored.footprint + value
        }
    }

    /// The eviction score of `key` now (`AccessStamp.evictionScore`: idle milliseconds, or
    /// 255 minus the decayed LFU counter; 0 while tracking is off), without recording an
    /// access; nil when absent. OBJECT IDLETIME and FREQ read it.
    public func evictionScore(ofKey key: UnsafeRawBufferPointer) -> UInt64? {
        withLeafEntry(ofKey: key) { leaf, i in
            let stored = leaf.storedKey(i)
            return access.current().evictionScore(stored.access, width: stored.accessWidth)
        }
    }

    /// Calls `body` with `key`'s leaf, read-locked, and its index there; nil when absent. No
    /// access is recorded.
    func withLeafEntry<R>(ofKey key: UnsafeRawBufferPointer, _ body: (BNode, Int) -> R) -> R? {
        pinned {
            let search = SearchKey(key)
            let (leaf, i) = descendSharedOutOfLine(search)
            defer { leaf.unlockShared() }
            guard i > 0 || !leaf.isHead, leaf.compare(search, i) == 0 else { return nil }
            return body(leaf, i)
        }
    }

    /// `descendShared` to level 0 for the rarely used callers (eviction, MEMORY USAGE,
    /// `contains`): one out-of-line copy of the descent, which is forced inline elsewhere.
    @inline(never)
    func descendSharedOutOfLine(_ key: SearchKey) -> (BNode, Int) {
        descendShared(to: 0, key, .atOrBelow)
    }
}
