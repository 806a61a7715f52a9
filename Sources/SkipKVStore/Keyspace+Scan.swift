import SkipKVKeys

/// SCAN over the merged keyspace, resumable from a client-held cursor (see `ScanPosition`).
extension Keyspace {
    /// One SCAN step: examines up to `count` keys in ascending order after `cursor`, within
    /// `range`, passing each to `body`; returns the cursor for the next step, 0 when the
    /// iteration is complete. Callers filter (MATCH, TYPE) inside `body`; examined keys that
    /// do not match still advance the cursor, as in Redis.
    public func scan(cursor: UInt64, count: Int, within range: KeyRange = .all, _ body: (UnsafeRawBufferPointer) -> Void) -> UInt64 {
        var stepRange = range
        let resume = scanCursors.position(of: cursor).lowerBound
        if Self.isAbove(resume, stepRange.lower) { stepRange.lower = resume }
        var last: [UInt8] = []
        let examined = forEach(in: stepRange, limit: max(1, count), includeValues: false) { key, _ in
            body(key)
            last.removeAll(keepingCapacity: true)
            last.append(contentsOf: key)
            return true
        }
        guard examined == max(1, count) else { return 0 }
        return last.withUnsafeBytes { scanCursors.cursor(after: $0) }
    }

    /// Whether lower bound `a` starts strictly later than lower bound `b`.
    static func isAbove(_ a: RangeBound, _ b: RangeBound) -> Bool {
        switch (a, b) {
        case (.unbounded, _): return false
        case (_, .unbounded): return true
        case let (.inclusive(x), .inclusive(y)), let (.exclusive(x), .exclusive(y)): return compareBytes(x, y) > 0
        case let (.exclusive(x), .inclusive(y)): return compareBytes(x, y) >= 0
        case let (.inclusive(x), .exclusive(y)): return compareBytes(x, y) > 0
        }
    }
}
