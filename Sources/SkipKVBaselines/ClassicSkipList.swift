@_spi(IndexInternals) import SkipKVIndex
import SkipKVKeys

/// A concurrent skiplist with one key per node — the lazy skiplist of Herlihy, Lev, Luchangco
/// and Shavit ("A Simple Optimistic Skiplist Algorithm", SIROCCO 2007) — with epoch-based
/// memory reclamation. It is the baseline the B-skiplist is measured against, so it shares the
/// key representation (`SearchKey`: the first 16 bytes inline as two words, the length, and
/// out-of-line bytes for longer keys) and the seeded
/// tower heights (`KeyHeight`, promotion probability 1/4, enough levels for 10^9 keys).
///
/// Structure. Each node (`Node`, raw memory) holds one key, a pointer to an immutable value
/// block, and a tower of `next` pointers, levels 0...topLevel; level 0 links every node in key
/// order. A head node of maximal height stands before the first key; nil ends every level.
/// Each node has a spin lock and two flags in one control word: *fully linked* (set once the
/// node is linked at every level: an insert's linearization point) and *marked* (logical
/// removal: a remove's linearization point). A key is in the map iff its node is fully linked
/// and not marked.
///
/// Concurrency contract. Every method may be called from any thread at any time, except
/// `checkInvariants`, which needs the index to be quiescent.
///  - Writers search without locks, recording at every level the last node before the key
///    (predecessor) and its successor, then lock the distinct predecessors from level 0 upward
///    and validate them (predecessor unmarked and still linked to the expected successor); on a
///    failed validation they unlock and search again.
///  - Insert links the new node bottom-up under its predecessors' locks, then sets fully linked.
///    Remove locks the node, marks it, then locks and validates the predecessors and unlinks it
///    from the top level down. A marked node's `next` pointers never change again, because an
///    insert or remove only relinks after an unmarked, locked predecessor.
///  - Lock order: a thread only waits for locks of keys smaller than every key whose lock it
///    holds (the node before its predecessors; predecessors from level 0 upward have
///    non-increasing keys), so there is no deadlock. Locks are test-and-test-and-set spin
///    locks that yield the CPU after a short spin.
///  - The key's lock: for a present key it is the node's lock, under which a replacing `put`,
///    `update` and `remove` run (each re-checks the mark after locking). For an absent key it is
///    the validated level-0 predecessor's lock, which any insert of that key needs; `update`
///    runs its closure on an absent key while holding it.
///  - Values are immutable blocks: a new value is a new block swapped in under the node's lock.
///  - Readers (`withValue`, `forEach`, `count`) take no locks. They follow `next` pointers, may
///    pass through nodes that are being inserted or removed, and report only nodes that are
///    present when checked. Lookups are linearizable. A scan returns keys in strictly
///    ascending (descending) order, each at most once, every key present for the whole scan
///    and none absent for the whole scan. With no back pointers, a reverse scan finds each
///    next key by a predecessor search from the head: O(log n) per key.
///  - Memory: each operation pins the `EpochReclaimer` for its duration; scans re-pin every
///    `repinInterval` keys and resume after the last key visited, so a long scan does not hold
///    back reclamation. An unlinked node, its key block and its value block, and any replaced
///    value block, are retired and freed two epochs later, when no pinned thread can reach
///    them. Closures run pinned, sometimes under a lock, so they must be short and must not
///    re-enter the index.
public final class ClassicSkipList: OrderedKeyValueIndex, @unchecked Sendable {
    private let heights: KeyHeight
    private let head: Node
    private let keyCounter = StripedCounter()
    /// Bytes of nodes, key blocks and value blocks not yet freed (retired ones included).
    private let counters: MemoryCounters
    private var memory: StripedCounter { counters.inUse }
    private let reclaimer: EpochReclaimer

    /// Keys a scan visits between re-pins.
    private static let repinInterval = 1024

    public init(seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        heights = KeyHeight(promotionDenominator: 4, seed: seed)
        let counters = MemoryCounters()
        self.counters = counters
        reclaimer = EpochReclaimer(memory: counters)
        head = Node.create(key: UnsafeRawBufferPointer(start: nil, count: 0), topLevel: heights.maxHeight)
        head.markFullyLinked()
        memory.add(head.footprint, stripe: 0)
    }

    deinit {
        var next = head.next(0)
        while let node = next {
            next = node.next(0)
            node.value.raw.deallocate()
            node.destroy()
        }
        head.destroy()
    }

    // MARK: Point operations

    public func withValue<R>(forKey key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        let target = SearchKey(key)
        let pin = reclaimer.pin()
        defer { reclaimer.unpin(pin) }
        guard let node = lookup(target), node.control.isPresent else { return nil }
        return node.value.withBytes(body)
    }

    @discardableResult
    public func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, condition: PutCondition) -> PutOutcome {
        let target = SearchKey(key)
        let pin = reclaimer.pin()
        defer { reclaimer.unpin(pin) }
        let thread = pin.threadHash
        // Allocated outside locks, at most once across retries; freed at the end if unused.
        var block: ValueBlock? = nil
        var fresh: Node? = nil
        defer {
            if let block { discard(block, thread) }
            if let fresh { discard(fresh, thread) }
        }
        return withSearchPath { path in
            var backoff = SpinBackoff()
            while true {
                let foundLevel = find(target, path)
                if foundLevel >= 0 {
                    let node = path.succs[foundLevel]!
                    guard node.control.isPresent else {
                        // Being inserted (present soon) or removed (unlinked soon): retry then.
                        backoff.wait()
                        continue
                    }
                    if condition == .ifAbsent { return .skipped }
                    let replacement = block ?? makeValue(value, thread)
                    block = replacement
                    node.lock()
                    if node.control.isMarked {
                        node.unlock()
                        backoff.wait()
                        continue
                    }
                    let old = node.exchangeValue(replacement)!
                    block = nil
                    node.unlock()
                    retire(old, thread)
                    return .replaced
                }
                if condition == .ifPresent { return .skipped }
                let node = fresh ?? makeNode(key, topLevel: heights.height(key), thread)
                fresh = node
                let newValue = block ?? makeValue(value, thread)
                block = newValue
                let (valid, highestLocked) = lockPredecessors(path, through: node.topLevel)
                if valid {
                    _ = node.exchangeValue(newValue)
                    link(node, path)
                    block = nil
                    fresh = nil
                }
                unlockPredecessors(path, through: highestLocked)
                if valid {
                    keyCounter.add(1, stripe: thread)
                    return .inserted
                }
                backoff.wait()
            }
        }
    }

    @discardableResult
    public func remove(_ key: UnsafeRawBufferPointer) -> Bool {
        let target = SearchKey(key)
        let pin = reclaimer.pin()
        defer { reclaimer.unpin(pin) }
        return withSearchPath { path in
            let foundLevel = find(target, path)
            guard foundLevel >= 0 else { return false }
            return removeNode(path.succs[foundLevel]!, path, pin.threadHash)
        }
    }

    public func update<R>(_ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) -> (UpdateAction, R)) -> R {
        let target = SearchKey(key)
        let pin = reclaimer.pin()
        defer { reclaimer.unpin(pin) }
        let thread = pin.threadHash
        return withSearchPath { path in
            var backoff = SpinBackoff()
            while true {
                let foundLevel = find(target, path)
                if foundLevel >= 0 {
                    let node = path.succs[foundLevel]!
                    guard node.control.isPresent else {
                        backoff.wait()
                        continue
                    }
                    node.lock()
                    if node.control.isMarked {
                        node.unlock()
                        backoff.wait()
                        continue
                    }
                    let old = node.value
                    let (action, result) = old.withBytes { body($0) }
                    switch action {
                    case .keep:
                        node.unlock()
                    case .store(let bytes):
                        _ = node.exchangeValue(bytes.withUnsafeBytes { makeValue($0, thread) })
                        node.unlock()
                        retire(old, thread)
                    case .remove:
                        removeLocked(node, path, thread)
                    case .storeWithDeadline, .setDeadline:
                        preconditionFailure("the classic skiplist keeps no expiry deadlines")
                    }
                    return result
                }
                // Absent. Once the level-0 predecessor is locked and validated, no insert of the
                // key can happen, so absence holds while `body` runs.
                let topLevel = heights.height(key)
                let (valid, highestLocked) = lockPredecessors(path, through: topLevel)
                guard valid else {
                    unlockPredecessors(path, through: highestLocked)
                    backoff.wait()
                    continue
                }
                let (action, result) = body(nil)
                if case .store(let bytes) = action {
                    let node = makeNode(key, topLevel: topLevel, thread)
                    _ = node.exchangeValue(bytes.withUnsafeBytes { makeValue($0, thread) })
                    link(node, path)
                    keyCounter.add(1, stripe: thread)
                }
                unlockPredecessors(path, through: highestLocked)
                return result
            }
        }
    }

    // MARK: Range operations

    @discardableResult
    public func forEach(
        in range: KeyRange, reverse: Bool, offset: Int, limit: Int,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Bool
    ) -> Int {
        if limit == 0 || range.isEmpty { return 0 }
        var quota = ScanQuota(offset: offset, limit: limit)
        walk(range, reverse: reverse) { node in
            quota.offer { node.withKey { key in node.value.withBytes { value in body(key, value) } } }
        }
        return quota.seen
    }

    public func count(in range: KeyRange) -> Int {
        if range.isEmpty { return 0 }
        var total = 0
        walk(range, reverse: false) { _ in
            total += 1
            return true
        }
        return total
    }

    @discardableResult
    public func removeAll(in range: KeyRange) -> Int {
        if range.isEmpty { return 0 }
        let thread = EpochReclaimer.currentThreadHash()
        var removed = 0
        withSearchPath { path in
            walk(range, reverse: false) { node in
                _ = find(node.key, path)
                if removeNode(node, path, thread) { removed += 1 }
                return true
            }
        }
        return removed
    }

    /// Exact only while no other thread is writing.
    public var count: Int { keyCounter.value }

    /// Frees what can be freed first, so that a quiescent index reports only its live data.
    public var bytesInUse: Int {
        reclaimer.drain()
        return memory.value
    }

    // MARK: Searching

    /// Per-level predecessors and successors of a key, in stack memory of the caller.
    private struct SearchPath {
        let preds: UnsafeMutablePointer<Node>
        let succs: UnsafeMutablePointer<Node?>
    }

    private func withSearchPath<R>(_ body: (SearchPath) -> R) -> R {
        let levels = heights.maxHeight + 1
        return withUnsafeTemporaryAllocation(of: Node.self, capacity: levels) { preds in
            withUnsafeTemporaryAllocation(of: Node?.self, capacity: levels) { succs in
                body(SearchPath(preds: preds.baseAddress!, succs: succs.baseAddress!))
            }
        }
    }

    /// Three-way order of `key` relative to `node`'s key. Most comparisons are decided by the
    /// key words, before reading the rest of the node's key fields.
    private func compare(_ key: SearchKey, _ node: Node) -> Int {
        let c = compareWords(key, node.high, node.low)
        return c != 0 ? c : node.storedKey.compareTail(key)
    }

    /// Fills `path` for `key` at every level and returns the highest level holding a node with
    /// `key` (in any state), or -1.
    private func find(_ key: SearchKey, _ path: SearchPath) -> Int {
        var foundLevel = -1
        var pred = head
        for level in stride(from: heights.maxHeight, through: 0, by: -1) {
            var curr = pred.next(level)
            while let node = curr {
                let order = compare(key, node)
                if order <= 0 {
                    if order == 0 && foundLevel < 0 { foundLevel = level }
                    break
                }
                pred = node
                curr = node.next(level)
            }
            path.preds[level] = pred
            path.succs[level] = curr
        }
        return foundLevel
    }

    /// The node with `key`, in any state, stopping at the first level where it appears.
    private func lookup(_ key: SearchKey) -> Node? {
        var pred = head
        for level in stride(from: heights.maxHeight, through: 0, by: -1) {
            var curr = pred.next(level)
            while let node = curr {
                let order = compare(key, node)
                if order == 0 { return node }
                if order < 0 { break }
                pred = node
                curr = node.next(level)
            }
        }
        return nil
    }

    /// Descends to level 0 moving right past every node ordered before `key`, and past those
    /// equal to it when `passingEqual` (past every node when `key` is nil). Returns the last
    /// node passed (the head if none) and its level-0 successor, both in any state.
    private func descend(to key: SearchKey?, passingEqual: Bool) -> (last: Node, next: Node?) {
        var pred = head
        var curr: Node? = nil
        for level in stride(from: heights.maxHeight, through: 0, by: -1) {
            curr = pred.next(level)
            while let node = curr {
                if let key {
                    let order = compare(key, node)
                    if order < 0 || (order == 0 && !passingEqual) { break }
                }
                pred = node
                curr = node.next(level)
            }
        }
        return (pred, curr)
    }

    /// The last node, in any state, before `key` (or at it when `includingEqual`).
    private func lastNode(before key: SearchKey?, includingEqual: Bool) -> Node? {
        let last = descend(to: key, passingEqual: includingEqual).last
        return last == head ? nil : last
    }

    // MARK: Range walks

    /// A range end as a search key; `inclusive` tells whether a key equal to it is in range.
    private struct Bound {
        let key: SearchKey
        let inclusive: Bool
    }

    private func withBound<R>(_ bound: RangeBound, _ body: (Bound?) -> R) -> R {
        switch bound {
        case .unbounded:
            return body(nil)
        case .inclusive(let key):
            return key.withUnsafeBytes { body(Bound(key: SearchKey($0), inclusive: true)) }
        case .exclusive(let key):
            return key.withUnsafeBytes { body(Bound(key: SearchKey($0), inclusive: false)) }
        }
    }

    /// Calls `visit` with the present nodes of `range` in order until it returns false, pinned.
    private func walk(_ range: KeyRange, reverse: Bool, _ visit: (Node) -> Bool) {
        withBound(range.lower) { lower in
            withBound(range.upper) { upper in
                var pin = reclaimer.pin()
                defer { reclaimer.unpin(pin) }
                if reverse {
                    walkBackward(from: upper, to: lower, &pin, visit)
                } else {
                    walkForward(from: lower, to: upper, &pin, visit)
                }
            }
        }
    }

    private func walkForward(from lower: Bound?, to upper: Bound?, _ pin: inout EpochReclaimer.Pin, _ visit: (Node) -> Bool) {
        var next = lower.map { descend(to: $0.key, passingEqual: !$0.inclusive).next } ?? head.next(0)
        var visits = 0
        while let node = next {
            if let upper {
                let order = compare(upper.key, node)
                if order < 0 || (order == 0 && !upper.inclusive) { return }
            }
            if node.control.isPresent {
                guard visit(node) else { return }
                visits += 1
                if visits % Self.repinInterval == 0 {
                    let resume = repin(&pin, resumingAfter: node)
                    next = resume.withUnsafeBytes { descend(to: SearchKey($0), passingEqual: true).next }
                    continue
                }
            }
            next = node.next(0)
        }
    }

    private func walkBackward(from upper: Bound?, to lower: Bound?, _ pin: inout EpochReclaimer.Pin, _ visit: (Node) -> Bool) {
        var next = lastNode(before: upper?.key, includingEqual: upper?.inclusive ?? true)
        var visits = 0
        while let node = next {
            if let lower {
                let order = compare(lower.key, node)
                if order > 0 || (order == 0 && !lower.inclusive) { return }
            }
            if node.control.isPresent {
                guard visit(node) else { return }
                visits += 1
                if visits % Self.repinInterval == 0 {
                    let resume = repin(&pin, resumingAfter: node)
                    next = resume.withUnsafeBytes { lastNode(before: SearchKey($0), includingEqual: false) }
                    continue
                }
            }
            next = lastNode(before: node.key, includingEqual: false)
        }
    }

    /// Re-pins and returns a copy of `node`'s key to resume from: once unpinned, the node may
    /// be freed.
    private func repin(_ pin: inout EpochReclaimer.Pin, resumingAfter node: Node) -> [UInt8] {
        let key = node.withKey { Array($0) }
        reclaimer.unpin(pin)
        pin = reclaimer.pin()
        return key
    }

    // MARK: Locking and linking

    /// Locks the distinct predecessors of levels 0...topLevel bottom-up (descending keys, the
    /// lock order) and validates each: unmarked and still linked to the expected successor,
    /// which is `victim` when unlinking it, else the recorded successor, then also unmarked.
    /// Returns whether every level validated and the highest level whose predecessor got
    /// locked; release with `unlockPredecessors` in either case.
    private func lockPredecessors(_ path: SearchPath, through topLevel: Int, unlinking victim: Node? = nil) -> (valid: Bool, highestLocked: Int) {
        var highestLocked = -1
        var previous: Node? = nil
        for level in 0...topLevel {
            let pred = path.preds[level]
            if pred != previous {
                pred.lock()
                highestLocked = level
                previous = pred
            }
            let successor = victim ?? path.succs[level]
            guard !pred.control.isMarked, pred.next(level) == successor else { return (false, highestLocked) }
            if victim == nil, let successor, successor.control.isMarked { return (false, highestLocked) }
        }
        return (true, highestLocked)
    }

    private func unlockPredecessors(_ path: SearchPath, through highestLocked: Int) {
        var previous: Node? = nil
        for level in stride(from: 0, through: highestLocked, by: 1) {
            let pred = path.preds[level]
            if pred != previous {
                pred.unlock()
                previous = pred
            }
        }
    }

    /// Links a new node between the locked, validated predecessors and successors of `path`;
    /// the insert takes effect when the node becomes fully linked.
    private func link(_ node: Node, _ path: SearchPath) {
        let topLevel = node.topLevel
        for level in 0...topLevel { node.setNext(level, path.succs[level]) }
        for level in 0...topLevel { path.preds[level].setNext(level, node) }
        node.markFullyLinked()
    }

    /// Removes `node` if it is present; `path` must come from a search for its key.
    private func removeNode(_ node: Node, _ path: SearchPath, _ thread: UInt64) -> Bool {
        // Not yet fully linked: not in the map yet. Marked: someone else's removal.
        guard node.control.isPresent else { return false }
        node.lock()
        if node.control.isMarked {
            node.unlock()
            return false
        }
        removeLocked(node, path, thread)
        return true
    }

    /// Marks (removes) a present node whose lock the caller holds, unlinks it, releases the
    /// lock and retires it. `path` must come from a search for its key.
    private func removeLocked(_ node: Node, _ path: SearchPath, _ thread: UInt64) {
        node.mark()
        let topLevel = node.topLevel
        var backoff = SpinBackoff()
        while true {
            let (valid, highestLocked) = lockPredecessors(path, through: topLevel, unlinking: node)
            if valid {
                for level in stride(from: topLevel, through: 0, by: -1) {
                    path.preds[level].setNext(level, node.next(level))
                }
            }
            unlockPredecessors(path, through: highestLocked)
            if valid { break }
            backoff.wait()
            _ = find(node.key, path)
        }
        node.unlock()
        retire(node, thread)
        keyCounter.add(-1, stripe: thread)
    }

    // MARK: Memory

    private func makeNode(_ key: UnsafeRawBufferPointer, topLevel: Int, _ thread: UInt64) -> Node {
        let node = Node.create(key: key, topLevel: topLevel)
        memory.add(node.footprint, stripe: thread)
        return node
    }

    private func makeValue(_ bytes: UnsafeRawBufferPointer, _ thread: UInt64) -> ValueBlock {
        let block = ValueBlock.create(bytes)
        memory.add(block.footprint, stripe: thread)
        return block
    }

    /// Frees a node that was never published (its value, if any, is discarded separately).
    private func discard(_ node: Node, _ thread: UInt64) {
        memory.add(-node.footprint, stripe: thread)
        node.destroy()
    }

    /// Frees a value block that was never published.
    private func discard(_ block: ValueBlock, _ thread: UInt64) {
        memory.add(-block.footprint, stripe: thread)
        block.raw.deallocate()
    }

    private func retire(_ block: ValueBlock, _ thread: UInt64) {
        reclaimer.retire(block.raw, bytes: block.footprint, threadHash: thread)
    }

    /// Retires an unlinked node with its key block and its last value.
    private func retire(_ node: Node, _ thread: UInt64) {
        retire(node.value, thread)
        if let block = node.storedKey.block {
            reclaimer.retire(block.raw, bytes: block.footprint, threadHash: thread)
        }
        reclaimer.retire(node.allocation, bytes: Node.byteCount(topLevel: node.topLevel), threadHash: thread)
    }

    // MARK: Invariants

    public func checkInvariants() throws {
        let maxLevel = heights.maxHeight
        guard head.topLevel == maxLevel, head.control.isPresent, !head.control.isLocked else {
            throw InvariantViolation("head node is damaged")
        }
        // Level 0: every node present, unlocked, in strictly ascending key order, with the
        // height its key hashes to and a consistent key representation.
        var nodesReaching = [Int](repeating: 0, count: maxLevel + 1)
        var liveBytes = head.footprint
        var keys = 0
        var previous: Node? = nil
        var next = head.next(0)
        while let node = next {
            let control = node.control
            guard control.isPresent, !control.isLocked else {
                throw InvariantViolation("node #\(keys) is marked, locked or not fully linked: \(control.word)")
            }
            if let previous, compare(previous.key, node) >= 0 {
                throw InvariantViolation("level 0 out of order at node #\(keys)")
            }
            let expectedTop = node.withKey { heights.height($0) }
            guard node.topLevel == expectedTop else {
                throw InvariantViolation("node #\(keys) has top level \(node.topLevel), its key hashes to \(expectedTop)")
            }
            guard (node.storedKey.block != nil) == (node.storedKey.length > SearchKey.inlineBytes),
                node.withKey({ keyWords($0.baseAddress, $0.count) }) == (node.high, node.low)
            else {
                throw InvariantViolation("node #\(keys) has an inconsistent key representation")
            }
            for level in 0...node.topLevel { nodesReaching[level] += 1 }
            liveBytes += node.footprint + node.value.footprint
            keys += 1
            previous = node
            next = node.next(0)
        }
        // Upper levels: ascending, each node tall enough and also linked one level down, and
        // every node reaching the level linked on it.
        for level in stride(from: 1, through: maxLevel, by: 1) {
            var below = head.next(level - 1)
            var linked = 0
            var previous: Node? = nil
            var next = head.next(level)
            while let node = next {
                guard node.topLevel >= level else {
                    throw InvariantViolation("node with top level \(node.topLevel) linked at level \(level)")
                }
                if let previous, compare(previous.key, node) >= 0 {
                    throw InvariantViolation("level \(level) out of order")
                }
                while let candidate = below, candidate != node { below = candidate.next(level - 1) }
                guard below == node else {
                    throw InvariantViolation("node at level \(level) missing from level \(level - 1)")
                }
                linked += 1
                previous = node
                next = node.next(level)
            }
            guard linked == nodesReaching[level] else {
                throw InvariantViolation("level \(level) links \(linked) nodes, \(nodesReaching[level]) reach it")
            }
        }
        guard keys == count else {
            throw InvariantViolation("count is \(count), level 0 holds \(keys) keys")
        }
        let accounted = bytesInUse
        guard reclaimer.pendingBlocks == 0 else {
            throw InvariantViolation("\(reclaimer.pendingBlocks) retired blocks not freed in a quiescent state")
        }
        guard accounted == liveBytes else {
            throw InvariantViolation("bytesInUse is \(accounted), live nodes, keys and values take \(liveBytes)")
        }
    }
}
