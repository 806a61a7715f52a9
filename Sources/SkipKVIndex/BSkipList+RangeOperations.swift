import SkipKVKeys

/// Ordered range operations: iteration in both directions with offset and limit, counting and
/// removal. Scans read-lock-couple along level 0; a reverse scan re-descends once per node
/// (levels are singly linked), bounded by the first key of the node it just finished.
extension BSkipList {
    /// A range bound as a search key: nil when unbounded.

    struct ScanBound {
        let key: SearchKey
        let inclusive: Bool

        /// Whether entry `i` of `node` lies past this bound taken as an upper bound.
        func isBelow(_ node: BNode, _ i: Int) -> Bool {
            let c = node.compare(key, i)  // bound vs entry
            return inclusive ? c < 0 : c <= 0
        }

        /// Whether entry `i` of `node` lies before this bound taken as a lower bound.
        func isAbove(_ node: BNode, _ i: Int) -> Bool {
            let c = node.compare(key, i)
            return inclusive ? c > 0 : c >= 0
        }
    }

    
    func withScanBound<R>(_ bound: RangeBound, _ body: (ScanBound?) -> R) -> R {
        switch bound {
        case .unbounded: return body(nil)
        case .inclusive(let bytes): return bytes.withUnsafeBytes { body(ScanBound(key: SearchKey($0), inclusive: true)) }
        case .exclusive(let bytes): return bytes.withUnsafeBytes { body(ScanBound(key: SearchKey($0), inclusive: false)) }
        }
    }

    /// The read-locked leaf and index of the first entry at or after `lower`.
    
    func firstEntry(from lower: ScanBound?) -> (BNode, Int) {
        guard let lower else {
            let head = heads[0]
            head.lockShared()
            return (head, 1)
        }
        let (leaf, i) = descendShared(to: 0, lower.key, lower.inclusive ? .below : .atOrBelow)
        return (leaf, i + 1)
    }

    /// Expired keys are skipped (and not counted against `offset` or `limit`).
    @discardableResult
    public func forEach(
        in range: KeyRange, reverse: Bool, offset: Int, limit: Int,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Bool
    ) -> Int {
        scan(range, reverse: reverse, offset: offset, limit: limit, includingExpired: false) { node, i in
            node.withKey(i) { key in node.withValue(i) { body(key, $0) } }
        }
    }

    /// `forEach` that also passes each key's expiry deadline (0: none); with
    /// `includingExpired`, expired keys not yet removed are visited too.
    @discardableResult
    public func forEachEntry(
        in range: KeyRange, reverse: Bool, offset: Int, limit: Int, includingExpired: Bool = false,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, _ deadline: Int64) -> Bool
    ) -> Int {
        scan(range, reverse: reverse, offset: offset, limit: limit, includingExpired: includingExpired) { node, i in
            node.withKey(i) { key in node.withValue(i) { body(key, $0, node.deadline(i)) } }
        }
    }

    private func scan(
        _ range: KeyRange, reverse: Bool, offset: Int, limit: Int, includingExpired: Bool, _ visit: (BNode, Int) -> Bool
    ) -> Int {
        if limit == 0 || range.isEmpty { return 0 }
        var expiry = ScanExpiry(clock: includingExpired ? nil : clock)
        return pinned {
            withScanBound(range.lower) { lower in
                withScanBound(range.upper) { upper in
                    reverse
                        ? scanBackward(lower: lower, upper: upper, offset: offset, limit: limit, &expiry, visit)
                        : scanForward(lower: lower, upper: upper, offset: offset, limit: limit, &expiry, visit)
                }
            }
        }
    }

    /// Which entries of a scan count as present: with a clock, those not expired at the time
    /// the scan first meets a leaf that may hold deadlines (read once, lazily, so that scans of
    /// keys without deadlines never read the clock: a key expiring during the scan is seen as
    /// of then, like one present for the whole scan); without one, every entry.
    struct ScanExpiry {
        let clock: ExpiryClock?
        private var now: Int64 = 0

        init(clock: ExpiryClock?) { self.clock = clock }

        /// Whether `node`'s entries need checking one by one; reads the clock the first time.
        @inline(__always)
        mutating func checks(_ node: BNode) -> Bool {
            guard let clock, node.mayHoldDeadlines else { return false }
            if now == 0 { now = clock.now() }
            return true
        }

        /// Whether entry `i` of a node that `checks` is live.
        @inline(__always)
        func isLive(_ node: BNode, _ i: Int) -> Bool { !node.isExpired(i, at: now) }
    }

    func scanForward(lower: ScanBound?, upper: ScanBound?, offset: Int, limit: Int, _ expiry: inout ScanExpiry,
                     _ visit: (BNode, Int) -> Bool) -> Int {
        var (node, i) = firstEntry(from: lower)
        var quota = ScanQuota(offset: offset, limit: limit)
        defer { node.unlockShared() }
        while true {
            let n = node.count
            let checks = expiry.checks(node)
            // Skip whole nodes while the offset allows (only nodes whose entries all count).
            if i < n && !checks && !(upper?.isBelow(node, n - 1) ?? false) && quota.skipRun(n - i) { i = n }
            while i < n {
                if let upper, upper.isBelow(node, i) { return quota.seen }
                if !checks || expiry.isLive(node, i) {
                    let more = quota.offer { visit(node, i) }
                    if !more { return quota.seen }
                }
                i += 1
            }
            guard let next = node.next else { return quota.seen }
            next.lockShared()
            node.unlockShared()
            node = next
            i = 0
        }
    }


    func scanBackward(lower: ScanBound?, upper: ScanBound?, offset: Int, limit: Int, _ expiry: inout ScanExpiry,
                      _ visit: (BNode, Int) -> Bool) -> Int {
        var quota = ScanQuota(offset: offset, limit: limit)
        // After the first node the bound is "below the first key of the node just scanned",
        // copied out because that node may change once unlocked.
        var boundBytes = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
        var boundCapacity = 64
        defer { boundBytes.deallocate() }
        var bound = upper
        while true {
            let (node, top): (BNode, Int)
            if let bound {
                (node, top) = descendShared(to: 0, bound.key, bound.inclusive ? .atOrBelow : .below)
            } else {
                (node, top) = descendShared(to: 0, .empty, .last)
            }
            defer { node.unlockShared() }
            let first = node.isHead ? 1 : 0
            var i = top
            let checks = expiry.checks(node)
            // Skip the whole node while the offset allows.
            if top >= first && !checks && !(lower?.isAbove(node, first) ?? false) && quota.skipRun(top - first + 1) {
                i = first - 1
            }
            while i >= first {
                if let lower, lower.isAbove(node, i) { return quota.seen }
                if !checks || expiry.isLive(node, i) {
                    let more = quota.offer { visit(node, i) }
                    if !more { return quota.seen }
                }
                i -= 1
            }
            if node.isHead { return quota.seen }
            let length = node.length(0)
            if length > boundCapacity {
                boundBytes.deallocate()
                boundCapacity = length
                boundBytes = .allocate(byteCount: length, alignment: 8)
            }
            if length > 0 { node.withKey(0) { boundBytes.copyMemory(from: $0.baseAddress!, byteCount: length) } }
            bound = ScanBound(key: SearchKey(UnsafeRawBufferPointer(start: boundBytes, count: length)), inclusive: false)
        }
    }

    /// The number of keys in `range`, expired ones excluded: whole nodes without deadlines
    /// are counted from their entry count.
    public func count(in range: KeyRange) -> Int {
        if range.isEmpty { return 0 }
        var expiry = ScanExpiry(clock: clock)
        return pinned { withScanBound(range.lower) { lower in
            withScanBound(range.upper) { upper in
                var (node, i) = firstEntry(from: lower)
                defer { node.unlockShared() }
                var total = 0
                while true {
                    let n = node.count
                    let checks = expiry.checks(node)
                    if let upper, i < n, upper.isBelow(node, n - 1) {
                        while i < n && !upper.isBelow(node, i) {
                            if !checks || expiry.isLive(node, i) { total += 1 }
                            i += 1
                        }
                        return total
                    }
                    if !checks {
                        total += max(0, n - i)
                    } else {
                        while i < n {
                            if expiry.isLive(node, i) { total += 1 }
                            i += 1
                        }
                    }
                    guard let next = node.next else { return total }
                    next.lockShared()
                    node.unlockShared()
                    node = next
                    i = 0
                }
            }
        } }
    }

    /// Removes the range in batches: collect up to a batch of keys with a forward scan, delete
    /// each through the regular delete path (which merges and frees nodes as they empty), then
    /// continue after the last key collected. Keys inserted behind the cursor meanwhile survive.
    /// Expired keys in the range go too, but only live ones are counted.
    @discardableResult
    public func removeAll(in range: KeyRange) -> Int {
        var removed = 0
        var cursor = range
        var batch: [[UInt8]] = []
        batch.reserveCapacity(Self.removalBatch)
        while true {
            batch.removeAll(keepingCapacity: true)
            forEachEntry(in: cursor, reverse: false, offset: 0, limit: Self.removalBatch, includingExpired: true) { key, _, _ in
                batch.append(Array(key))
                return true
            }
            for key in batch where key.withUnsafeBytes({ removeEntry($0) }) == .removed { removed += 1 }
            guard batch.count == Self.removalBatch, let last = batch.last else { return removed }
            cursor.lower = .exclusive(last)
        }
    }

    static var removalBatch: Int { 256 }
}
