import SkipKVKeys

/// Where a B-skiplist's keys with an expiry deadline are, by deadline: every level-0 node
/// that holds such keys, ordered by a lower bound on their deadlines (`BNode.minDeadline`),
/// in a second B-skiplist whose 16-byte keys are that bound (big-endian, so byte order is
/// time order) followed by the node's address. The active expiry cycle reads it from the
/// front and examines each node whose bound has passed: every expired key is in such a node,
/// so it finds all of them, earliest nodes first, without sampling as Redis does. Indexing
/// nodes instead of keys costs about nothing per key (one 32-byte entry per node of ~100
/// keys, and no copy of any key), where an index of (deadline, key) pairs cost 111 bytes per
/// key (docs/BENCHMARKS.md).
///
/// The invariant, kept under each node's exclusive lock by the owning `BSkipList`: a level-0
/// node whose `minDeadline` m is non-zero has exactly one entry (m, node) here, and m is at
/// most the deadline of each of its entries; a node with m == 0 holds no entry with a
/// deadline and has no entry here. A deadline stored in a node lowers m when it is earlier;
/// removals and later deadlines leave m low (a bound, not the exact minimum) until the cycle
/// examines the node and sets it to the exact minimum of what is left. Nodes created by a
/// split get the minimum of the entries they received; a merged node the lower of the two;
/// a node is removed from here before it is retired.
///
/// It also counts the keys with a deadline and sums their deadlines (INFO's expires= and
/// avg_ttl), updated as entries gain and lose deadlines.
///
/// Concurrency contract: every method may be called from any thread; the owning list calls
/// the mutators while holding the node's exclusive lock, so per node they are serialized.
/// Lock order: the owning list's node locks, then this list's (which never calls back).
public final class DeadlineIndex: @unchecked Sendable {
    let nodes: BSkipList
    private let keys = StripedCounter()
    /// The sum of every key's deadline as whole seconds since `epoch`, each clamped to
    /// 0...2^32 (for INFO's avg_ttl, an estimate in Redis too): the sum of even 10^8 far-future
    /// deadlines stays well inside 63 bits.
    private let secondsSum = StripedCounter()
    private static let epoch: Int64 = 1_577_836_800  // 2020-01-01, in Unix seconds

    init(nodeBytes: Int, seed: UInt64, memory: MemoryCounters) {
        nodes = BSkipList(nodeBytes: nodeBytes, seed: seed, memory: memory, indexesDeadlines: false)
    }

    /// Keys with a deadline, expired ones not yet removed included.
    public var count: Int { keys.value }

    /// Nodes indexed.
    public var nodeCount: Int { nodes.count }

    /// The mean deadline of the keys with one, in Unix milliseconds (second precision), or nil
    /// when none has one.
    public var meanDeadline: Int64? {
        let n = count
        return n > 0 ? (Int64(secondsSum.value / n) + Self.epoch) * 1000 : nil
    }

    /// A key gained (`sign` 1) or lost (-1) `deadline`.
    func count(_ deadline: Int64, _ sign: Int, stripe: UInt64) {
        keys.add(sign, stripe: stripe)
        secondsSum.add(sign * Int(min(max(deadline / 1000 - Self.epoch, 0), 1 << 32)), stripe: stripe)
    }

    /// Moves `node`'s entry from bound `old` to bound `new` (either 0: none).
    func move(_ node: BNode, from old: Int64, to new: Int64) {
        if old == new { return }
        if old != 0 { Self.withEntryKey(old, node) { _ = nodes.remove($0) } }
        if new != 0 { _ = Self.withEntryKey(new, node) { nodes.put($0, UnsafeRawBufferPointer(start: nil, count: 0), condition: .always) } }
    }

    /// The number of nodes whose bound is before `now` (counted from whole index nodes).
    public func countDueNodes(now: Int64) -> Int {
        nodes.count(in: KeyRange(lower: .unbounded, upper: .exclusive(Self.prefix(now))))
    }

    private static func prefix(_ bound: Int64) -> [UInt8] {
        withUnsafeBytes(of: UInt64(bitPattern: bound).bigEndian) { Array($0) }
    }

    /// Calls `body` with up to `limit` (bound, node) pairs whose bound is before `now`,
    /// earliest first.
    func forEachDue(now: Int64, limit: Int, _ body: (Int64, BNode) -> Void) {
        forEach(in: KeyRange(lower: .unbounded, upper: .exclusive(Self.prefix(now))), limit: limit, body)
    }

    /// Calls `body` with up to `limit` (bound, node) pairs, earliest bound first.
    func forEachEarliest(limit: Int, _ body: (Int64, BNode) -> Void) {
        forEach(in: .all, limit: limit, body)
    }

    private func forEach(in range: KeyRange, limit: Int, _ body: (Int64, BNode) -> Void) {
        nodes.forEach(in: range, reverse: false, offset: 0, limit: limit) { entry, _ in
            Self.split(entry, body)
            return true
        }
    }

    /// One step of a sampler over the indexed nodes (`BSkipList.sampleForEviction` on the
    /// list): `hand` and the `entry` given to `body` are index entries.
    func sample(
        after hand: UnsafeRawBufferPointer?, count: Int, maximumGap: Int,
        _ body: (_ entry: UnsafeRawBufferPointer, _ node: BNode) -> Void
    ) -> Int {
        nodes.sampleForEviction(after: hand, count: count, maximumGap: maximumGap) { entry, _ in
            Self.split(entry) { _, node in body(entry, node) }
        }
    }

    private static func split(_ entry: UnsafeRawBufferPointer, _ body: (Int64, BNode) -> Void) {
        let bound = Int64(bitPattern: UInt64(bigEndian: entry.loadUnaligned(as: UInt64.self)))
        let address = UInt(UInt64(bigEndian: entry.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        body(bound, BNode(UnsafeMutableRawPointer(bitPattern: address)!))
    }

    private static func withEntryKey<R>(_ bound: Int64, _ node: BNode, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var entry = (UInt64(bitPattern: bound).bigEndian, UInt64(UInt(bitPattern: node.raw)).bigEndian)
        return withUnsafeBytes(of: &entry) { body($0) }
    }
}
